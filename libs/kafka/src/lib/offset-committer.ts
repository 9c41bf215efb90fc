import type { Consumer } from 'kafkajs';
import type { KafkaLogger } from './kafka-client';

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume: everything below it is done. */
  offset: bigint;
}

export const partitionKey = (topic: string, partition: number) => `${topic}\0${partition}`;

/**
 * Commits a consumer's done offsets every interval, one request for all its partitions, instead of
 * one request per batch: the broker's cost follows the number of requests. A crash re-delivers at
 * most one interval's records.
 *
 * One commit at a time: kafkajs retries a commit for seconds (a coordinator moving), and an older
 * one landing after a newer one would move the broker's offsets back. An offset counts as
 * committed once the broker took it, so a failed commit's offsets go in the next one.
 */
export class OffsetCommitter {
  private readonly committed = new Map<string, bigint>();
  /** The partitions of the last assignment: a commit that lands after a rebalance records only those. */
  private owned: ReadonlySet<string> | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly doneOffsets: () => Iterable<PartitionOffset>,
    private readonly logger: KafkaLogger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (!this.inFlight) void this.commit();
    }, this.intervalMs);
  }

  /** Stops the interval's commits; `commit()` then waits for the one in flight and commits the rest. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Forgets what it committed for partitions this member no longer owns. */
  keepOnly(owned: ReadonlySet<string>): void {
    this.owned = owned;
    for (const id of [...this.committed.keys()]) if (!owned.has(id)) this.committed.delete(id);
  }

  /** Commits what is done and not committed, once the commit in flight (if any) has ended. */
  async commit(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    this.inFlight = this.send();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
  }

  private async send(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const { topic, partition, offset } of this.doneOffsets()) {
      if (offset > 0n && offset > (this.committed.get(partitionKey(topic, partition)) ?? -1n)) {
        offsets.push({ topic, partition, offset: offset.toString() });
      }
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // The next commit carries the same or higher offsets; a lost partition re-delivers.
      this.logger.warn({ err: error }, 'offset commit failed');
      return;
    }
    for (const { topic, partition, offset } of offsets) {
      const id = partitionKey(topic, partition);
      if (this.owned?.has(id) ?? true) this.committed.set(id, BigInt(offset));
    }
  }
}

/** The partitions a GROUP_JOIN event's assignment gives this member. */
export function ownedPartitions(assignment: Record<string, number[]>): Set<string> {
  const owned = new Set<string>();
  for (const [topic, partitions] of Object.entries(assignment)) {
    for (const partition of partitions) owned.add(partitionKey(topic, partition));
  }
  return owned;
}
