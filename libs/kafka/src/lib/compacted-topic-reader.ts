import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { runAgainAfterCrashes } from './crash-recovery';
import type { KafkaLogger } from './kafka-client';
import { retryWhileRetriable } from './retriable';

export interface CompactedTopicReaderOptions {
  kafka: Kafka;
  topic: string;
  /** Names the reader in the broker's group list; each process reads the whole topic. */
  name: string;
  logger: KafkaLogger;
  apply(key: string, value: Buffer | null): void;
}

interface PendingCatchUp {
  /** Per partition, the offset the reader must reach. */
  targets: Map<number, bigint>;
  /** Whether the targets are known (the topic's end was read). */
  ready?: boolean;
  settle(caughtUp: boolean): void;
}

/**
 * Reads a compacted topic from its beginning into memory and follows it. Every process reads
 * every partition (a group of its own, never committed), so each holds the whole table. As nothing
 * is committed, each rejoin of the group fetches the partitions from their beginning again: records
 * already applied are passed over, or an old snapshot of a since deleted key would come back.
 */
export class CompactedTopicReader {
  private readonly consumer: Consumer;
  private readonly targets = new Map<number, bigint>();
  private caughtUp = false;
  private resolveCaughtUp: () => void = () => undefined;
  private lastFetchAt = 0;
  private running = false;
  /** Per partition, the offset after the last one applied (or passed over as compacted away). */
  private readonly applied = new Map<number, bigint>();
  private readonly catchUps = new Set<PendingCatchUp>();
  private admin: Admin | undefined;
  readonly ready: Promise<void>;

  constructor(private readonly options: CompactedTopicReaderOptions) {
    this.consumer = options.kafka.consumer({
      groupId: `${options.name}.${options.topic}.${randomUUID()}`,
      // After a crash kafkajs rejoins as a new member, which waits for the old one's session to
      // end: keep it as short as the consume loops'.
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.FETCH_START, () => {
      this.lastFetchAt = Date.now();
    });
    // Also emitted for batches that hold no record to apply (compacted away, control records).
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.advance(payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    runAgainAfterCrashes(this.consumer, {
      name: this.name,
      logger: options.logger,
      shouldRun: () => this.running,
      run: () => this.run(),
    });
    this.ready = new Promise((resolve) => {
      this.resolveCaughtUp = resolve;
    });
  }

  get name(): string {
    return `table ${this.options.topic}`;
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  get lastActivityAt(): number {
    return this.lastFetchAt;
  }

  /** Starts following the topic; `ready` resolves once what was there at start has been applied. */
  async start(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const offsets = await retryWhileRetriable(() => admin.fetchTopicOffsets(this.options.topic));
      for (const { partition, high, low } of offsets) {
        if (BigInt(high) > BigInt(low)) this.targets.set(partition, BigInt(high));
      }
    } finally {
      await admin.disconnect();
    }
    this.checkCaughtUp();
    this.running = true;
    await this.run();
  }

  /**
   * Resolves true once every record written to the topic before the call has been applied; false
   * if that takes longer than `timeoutMs` (reading where the topic ends included), or the reader
   * is stopped.
   */
  catchUp(timeoutMs: number): Promise<boolean> {
    if (!this.running) return Promise.resolve(false);
    return new Promise((resolve) => {
      const catchUp: PendingCatchUp = {
        targets: new Map(),
        settle: (caughtUp) => {
          clearTimeout(timer);
          this.catchUps.delete(catchUp);
          resolve(caughtUp);
        },
      };
      const timer = setTimeout(() => catchUp.settle(false), timeoutMs);
      timer.unref();
      this.catchUps.add(catchUp);
      this.readTopicEnd().then(
        (ends) => {
          for (const [partition, end] of ends) {
            if (end > (this.applied.get(partition) ?? 0n)) catchUp.targets.set(partition, end);
          }
          catchUp.ready = true;
          if (catchUp.targets.size === 0) catchUp.settle(true);
        },
        (error: unknown) => {
          this.options.logger.warn({ err: error, topic: this.options.topic }, 'topic end not read');
          catchUp.settle(false);
        },
      );
    });
  }

  private async readTopicEnd(): Promise<Map<number, bigint>> {
    // Few retries: the caller's deadline is what bounds the wait.
    this.admin ??= this.options.kafka.admin({ retry: { retries: 2 } });
    await this.admin.connect();
    const offsets = await this.admin.fetchTopicOffsets(this.options.topic);
    return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const catchUp of this.catchUps) catchUp.settle(false);
    await Promise.all([this.consumer.disconnect(), this.admin?.disconnect()]);
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.applyBatch(payload) });
  }

  private async applyBatch({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < (this.applied.get(batch.partition) ?? 0n)) continue;
      this.advance(batch.partition, offset + 1n);
      const key = message.key?.toString();
      if (key === undefined) {
        this.options.logger.warn(
          { topic: batch.topic, offset: message.offset },
          'record without a key ignored',
        );
        continue;
      }
      try {
        this.options.apply(key, message.value);
      } catch (error) {
        this.options.logger.error(
          { err: error, topic: batch.topic, offset: message.offset },
          'record not applied',
        );
      }
    }
    const target = this.targets.get(batch.partition);
    if (target !== undefined && !batch.isEmpty() && BigInt(batch.lastOffset()) + 1n >= target) {
      this.targets.delete(batch.partition);
      this.checkCaughtUp();
    }
  }

  private advance(partition: number, next: bigint): void {
    if (next <= (this.applied.get(partition) ?? 0n)) return;
    this.applied.set(partition, next);
    for (const catchUp of this.catchUps) {
      const target = catchUp.targets.get(partition);
      if (target === undefined || next < target) continue;
      catchUp.targets.delete(partition);
      if (catchUp.ready && catchUp.targets.size === 0) catchUp.settle(true);
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || this.targets.size > 0) return;
    this.caughtUp = true;
    this.resolveCaughtUp();
  }
}
