interface WaitingCall<T> {
  items: readonly T[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Writes in as few statements as the callers' concurrency allows, without ever waiting for more:
 * a call made while no write is in flight is written at once; calls made while one is in flight
 * wait for it, then are written together, in order, up to `maxItems` items a write. A call's items
 * are never split (one call with more than `maxItems` is written alone), and each call settles
 * with the write that carried its items.
 */
export class WriteCoalescer<T> {
  private waiting: WaitingCall<T>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxItems: number,
  ) {}

  /** Resolves once the items are written; rejects with the error of the write that failed them. */
  add(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.writing) void this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) await this.writeTogether(this.takeNextWrite());
    this.writing = false;
  }

  /** The oldest waiting calls whose items fit in one write, and always at least one call. */
  private takeNextWrite(): WaitingCall<T>[] {
    let count = this.waiting[0].items.length;
    let taken = 1;
    while (taken < this.waiting.length && count + this.waiting[taken].items.length <= this.maxItems) {
      count += this.waiting[taken++].items.length;
    }
    return this.waiting.splice(0, taken);
  }

  private async writeTogether(calls: WaitingCall<T>[]): Promise<void> {
    try {
      await this.write(calls.flatMap((call) => call.items));
    } catch (error) {
      if (calls.length === 1) return calls[0].reject(error);
      // Items the database refuses must fail only their own call: the calls written with them
      // would otherwise be retried alongside them, and fail again.
      for (const call of calls) await this.writeTogether([call]);
      return;
    }
    for (const call of calls) call.resolve();
  }
}
