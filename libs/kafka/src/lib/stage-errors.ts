/** A record that can never be processed: it goes to the dead-letter topic with this reason. */
export class PoisonRecordError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A failure expected to pass (a dependency down): the batch is retried, never dead-lettered. */
export class TransientError extends Error {}
