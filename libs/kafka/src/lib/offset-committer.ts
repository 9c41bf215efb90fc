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
 */
export class OffsetCommitter {
  private readonly committed = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly doneOffsets: () => Iterable<PartitionOffset>,
    private readonly logger: KafkaLogger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.commit(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Forgets what it committed for partitions this member no longer owns. */
  keepOnly(owned: ReadonlySet<string>): void {
    for (const id of [...this.committed.keys()]) if (!owned.has(id)) this.committed.delete(id);
  }

  async commit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const { topic, partition, offset } of this.doneOffsets()) {
      const id = partitionKey(topic, partition);
      if (offset > 0n && offset > (this.committed.get(id) ?? -1n)) {
        offsets.push({ topic, partition, offset: offset.toString() });
        this.committed.set(id, offset);
      }
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // The next commit carries the same or higher offsets; a lost partition re-delivers.
      for (const { topic, partition } of offsets) this.committed.delete(partitionKey(topic, partition));
      this.logger.warn({ err: error }, 'offset commit failed');
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
