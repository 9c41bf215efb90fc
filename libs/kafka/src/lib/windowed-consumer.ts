import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { runAgainAfterCrashes } from './crash-recovery';
import { kafkaFetchOptions, type FetchTuning } from './fetch-tuning';
import type { KafkaLogger } from './kafka-client';
import { OffsetCommitter, ownedPartitions, partitionKey as key } from './offset-committer';
import { PartitionWindow } from './partition-window';
import { toConsumedRecord, type ConsumedRecord } from './records';

export interface WindowedConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: KafkaLogger;
  /**
   * Finishes one record: resolves once everything it produced is acknowledged. It must not
   * reject; if it does, the record is handed to it again after a pause.
   */
  handle(record: ConsumedRecord): Promise<void>;
  /** Records of one partition taken on and not finished, at most. */
  windowPerPartition?: number;
  commitIntervalMs?: number;
  fetch?: FetchTuning;
  /** Called when the consumer stops taking records, before the grace period for those in hand. */
  onStopping?(): void;
  onConsumed?(topic: string, count: number): void;
}

/**
 * The longest a fetch waits here. A partition resumed after a full window is fetched again only
 * by the next fetch, and while every partition with records is paused the fetch in flight (or
 * kafkajs's sleep, when all are paused) waits out its whole time: at a second, the default, a
 * consumer that is behind would take at most one window per partition a second.
 */
export const WINDOWED_MAX_WAIT_MS = 100;

function windowedFetchOptions(fetch?: FetchTuning): ReturnType<typeof kafkaFetchOptions> {
  const options = kafkaFetchOptions(fetch);
  return { ...options, maxWaitTimeInMs: Math.min(options.maxWaitTimeInMs, WINDOWED_MAX_WAIT_MS) };
}

/**
 * A consume loop with key-level parallelism: records are taken on without waiting for the ones
 * before them, so one slow record never holds up the rest of its partition. Each partition
 * commits only up to its lowest unfinished record, so a crash re-delivers what was not finished.
 *
 * kafkajs fetches from the last resolved offset; resolving each record as it is taken on moves
 * the fetch position forward, while the committed offset (sent by hand, autoCommit off) stays at
 * the low watermark. After a rebalance the next owner starts from that committed offset.
 */
export class WindowedConsumer {
  private readonly consumer: Consumer;
  private readonly windows = new Map<string, { topic: string; partition: number; window: PartitionWindow }>();
  private readonly committer: OffsetCommitter;
  private readonly inFlight = new Set<Promise<void>>();
  /** Partitions paused while their window is full. */
  private readonly paused = new Map<string, { topic: string; partitions: number[] }>();
  private lastFetchAt = 0;
  private running = false;

  constructor(private readonly options: WindowedConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // As the batch consumer: a crashed member's partitions move on after 10 s.
      sessionTimeout: 10_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 2_000,
      ...windowedFetchOptions(options.fetch),
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.FETCH_START, () => {
      this.lastFetchAt = Date.now();
    });
    this.committer = new OffsetCommitter(
      this.consumer,
      () =>
        [...this.windows.values()].map(({ topic, partition, window }) => ({
          topic,
          partition,
          offset: window.lowWatermark(),
        })),
      options.logger,
      options.commitIntervalMs ?? 250,
    );
    runAgainAfterCrashes(this.consumer, {
      name: this.name,
      logger: options.logger,
      shouldRun: () => this.running,
      run: () => this.run(),
    });
    // Partitions this member no longer owns start afresh if they come back: the new owner may
    // have moved their committed offset.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const owned = ownedPartitions(payload.memberAssignment);
      for (const id of [...this.windows.keys()]) if (!owned.has(id)) this.windows.delete(id);
      // Windows start afresh or carry on: a partition paused for a full window fetches again and
      // pauses again if it must.
      this.consumer.resume([...this.paused.values()]);
      this.paused.clear();
      this.committer.keepOnly(owned);
    });
  }

  get name(): string {
    return `consumer group ${this.options.groupId}`;
  }

  get lastActivityAt(): number {
    return this.lastFetchAt;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.run();
    this.committer.start();
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: (payload) => this.takeBatch(payload),
    });
  }

  /** Stops taking records, gives those in hand up to `graceMs` to finish, commits, leaves. */
  async stop(graceMs = 15_000): Promise<void> {
    this.running = false;
    // Stop fetching but stay in the group, so what finishes during the grace can still be committed.
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
    this.options.onStopping?.();
    const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    this.committer.stop();
    await this.committer.commit();
    await this.consumer.disconnect();
  }

  private async takeBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    const { topic, partition } = batch;
    const id = key(topic, partition);
    let entry = this.windows.get(id);
    if (!entry) this.windows.set(id, (entry = { topic, partition, window: new PartitionWindow() }));
    const { window } = entry;
    const limit = this.options.windowPerPartition ?? 1000;
    let taken = 0;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (window.hasTaken(offset)) continue;
      if (!this.running || !isRunning() || isStale()) return;
      if (window.size >= limit) {
        // kafkajs fetches again only once every batch of a fetch is handled: waiting here would
        // hold up every partition. This one pauses instead; the rest of its batch is fetched again.
        this.pauseUntilRoom(topic, partition, window, limit);
        break;
      }
      window.take(offset);
      taken++;
      this.track(toConsumedRecord(topic, partition, message), window, offset);
      resolveOffset(message.offset);
    }
    if (taken > 0) this.options.onConsumed?.(topic, taken);
    await heartbeat().catch(() => undefined);
  }

  private pauseUntilRoom(topic: string, partition: number, window: PartitionWindow, limit: number): void {
    const id = key(topic, partition);
    if (this.paused.has(id)) return;
    const paused = { topic, partitions: [partition] };
    this.paused.set(id, paused);
    this.consumer.pause([paused]);
    // Resumes with a tenth of the window free, rather than fetching again for every record finished.
    const resumeAt = Math.floor(limit * 0.9);
    void (async () => {
      while (this.running && this.paused.get(id) === paused && window.size > resumeAt) {
        await window.waitForRoom(1_000);
      }
      if (!this.running || this.paused.get(id) !== paused) return;
      this.paused.delete(id);
      this.consumer.resume([paused]);
    })();
  }

  private track(record: ConsumedRecord, window: PartitionWindow, offset: bigint): void {
    const work = this.finishRecord(record).then(() => window.finish(offset));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async finishRecord(record: ConsumedRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.handle(record);
      } catch (error) {
        this.options.logger.error(
          { err: error, topic: record.topic, partition: record.partition, offset: record.offset },
          'record handling failed; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }
}
