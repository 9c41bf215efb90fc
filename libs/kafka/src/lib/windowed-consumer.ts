import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { pauseToStop, runAgainAfterCrashes } from './crash-recovery';
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
   * reject; if it does, the record is handed to it again after a pause. `revoked` aborts when a
   * rebalance takes the record's partition away: the new owner reads the record again from the
   * committed offset, so one still waiting (for its due time, say) should be left unfinished.
   */
  handle(record: ConsumedRecord, revoked: AbortSignal): Promise<void>;
  /** Records of one partition taken on and not finished, at most. */
  windowPerPartition?: number;
  commitIntervalMs?: number;
  fetch?: FetchTuning;
  /** Called when the consumer stops taking records, before the grace period for those in hand. */
  onStopping?(): void;
  onConsumed?(topic: string, count: number): void;
}

interface PartitionState {
  topic: string;
  partition: number;
  window: PartitionWindow;
  /** Aborted when a rebalance takes the partition away. */
  revoked: AbortController;
}

/** A batch's records from `next` on: what a full window holds back, taken as room frees. */
interface HeldBack {
  messages: KafkaMessage[];
  /** The first message not yet taken. */
  next: number;
  resolveOffset: (offset: string) => void;
  isStale: () => boolean;
}

/**
 * The longest a fetch waits here. A partition resumed after a full window is fetched again only
 * by the next fetch, and while every partition with records is paused the fetch in flight (or
 * kafkajs's sleep, when all are paused) waits out its whole time: at a second, the default, a
 * consumer that is behind would take at most one window per partition a second.
 */
export const WINDOWED_MAX_WAIT_MS = 100;

/**
 * A partition's share of one fetch. Behind a backlog a full window holds back the rest of its
 * batch until there is room; kafkajs's 1 MiB would be over a thousand records per partition.
 */
export const WINDOWED_MAX_BYTES_PER_PARTITION = 256 * 1024;

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
  private readonly windows = new Map<string, PartitionState>();
  private readonly committer: OffsetCommitter;
  /** Records taken on and not finished, and what `stop` waits on while there are some. */
  private inHand = 0;
  private onAllFinished?: () => void;
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
      maxBytesPerPartition: WINDOWED_MAX_BYTES_PER_PARTITION,
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
    // A crash leaves the group (kafkajs disconnects, STOP, then CRASH) and the other members take
    // every partition: as at a rebalance, but for all of them. Our own stop() hands records back
    // by committing what finished during its grace instead.
    this.consumer.on(this.consumer.events.STOP, () => {
      if (this.running) this.forgetEveryPartition();
    });
    this.consumer.on(this.consumer.events.CRASH, () => this.forgetEveryPartition());
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const owned = ownedPartitions(payload.memberAssignment);
      this.forgetPartitions(owned);
      // Windows start afresh or carry on: a partition paused for a full window fetches again and
      // pauses again if it must. Once stopping, every partition stays paused.
      if (this.running) this.consumer.resume([...this.paused.values()]);
      this.paused.clear();
    });
  }

  /**
   * Partitions this member no longer owns start afresh if they come back: the new owner may have
   * moved their committed offset. Their records in hand are told, and their windows, no longer
   * committed, are dropped.
   */
  private forgetPartitions(owned: ReadonlySet<string>): void {
    for (const [id, entry] of [...this.windows]) {
      if (owned.has(id)) continue;
      this.windows.delete(id);
      entry.revoked.abort();
    }
    this.committer.keepOnly(owned);
  }

  /** After a crash: kafkajs starts with a new group, nothing paused, read from committed offsets. */
  private forgetEveryPartition(): void {
    this.forgetPartitions(new Set());
    // Ends the held-back loops, which would resume in a group that is gone.
    this.paused.clear();
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
    pauseToStop(this.consumer, this.options.topics, { name: this.name, logger: this.options.logger });
    this.options.onStopping?.();
    const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    const allFinished = new Promise<void>((resolve) => {
      if (this.inHand === 0) resolve();
      else this.onAllFinished = resolve;
    });
    await Promise.race([allFinished, deadline]);
    this.committer.stop();
    await this.committer.commit();
    await this.consumer.disconnect();
  }

  private async takeBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    const { topic, partition } = batch;
    const id = key(topic, partition);
    let entry = this.windows.get(id);
    if (!entry) {
      entry = { topic, partition, window: new PartitionWindow(), revoked: new AbortController() };
      this.windows.set(id, entry);
    }
    if (!this.running || !isRunning() || isStale()) return;
    const limit = this.options.windowPerPartition ?? 1000;
    const rest: HeldBack = { messages: batch.messages, next: 0, resolveOffset, isStale };
    // kafkajs fetches again only once every batch of a fetch is handled: waiting here for room
    // would hold up every partition. A full window pauses its partition instead and keeps the
    // rest of the batch, which fetching again would decode again: behind a backlog, many times over.
    if (this.takeUntilFull(entry, rest, limit)) this.pauseUntilRoom(entry, rest, limit);
    await heartbeat().catch(() => undefined);
  }

  /** Takes the records not taken before, in order, until the window is full; true if some are left. */
  private takeUntilFull(
    { topic, partition, window, revoked }: PartitionState,
    rest: HeldBack,
    limit: number,
  ): boolean {
    const { messages } = rest;
    let taken = 0;
    for (; rest.next < messages.length; rest.next++) {
      const message = messages[rest.next];
      const offset = BigInt(message.offset);
      if (window.hasTaken(offset)) {
        // Fetched again from the committed offset, as after a rebalance this member came out of
        // with the partition: resolving moves the fetch past it, or a taken range longer than
        // one fetch would be fetched again and again.
        rest.resolveOffset(message.offset);
        continue;
      }
      if (window.size >= limit) break;
      window.take(offset);
      void this.finish(toConsumedRecord(topic, partition, message), window, offset, revoked.signal);
      rest.resolveOffset(message.offset);
      taken++;
    }
    if (taken > 0) this.options.onConsumed?.(topic, taken);
    return rest.next < messages.length;
  }

  /**
   * Pauses a partition whose window is full. Once a tenth of the window is free (rather than
   * for every record finished) it takes what it held back; with none left it fetches again.
   */
  private pauseUntilRoom(entry: PartitionState, rest: HeldBack, limit: number): void {
    const { topic, partition, window } = entry;
    const id = key(topic, partition);
    if (this.paused.has(id)) return;
    // Only the records not taken: those taken need not wait in memory with the rest.
    const heldBack = { ...rest, messages: rest.messages.slice(rest.next), next: 0 };
    const paused = { topic, partitions: [partition] };
    this.paused.set(id, paused);
    this.consumer.pause([paused]);
    const resumeAt = Math.floor(limit * 0.9);
    // A rebalance forgets the partitions paused (GROUP_JOIN), and what was held back with them.
    const stillPaused = () => this.running && this.paused.get(id) === paused;
    const resume = () => {
      if (!stillPaused()) return;
      this.paused.delete(id);
      this.consumer.resume([paused]);
    };
    void (async () => {
      while (stillPaused()) {
        if (window.size > resumeAt) await window.waitForRoom(1_000);
        else if (heldBack.isStale() || !this.takeUntilFull(entry, heldBack, limit)) break;
      }
      resume();
    })().catch((error: unknown) => {
      // resolveOffset throws for a partition a rebalance has just taken away.
      this.options.logger.warn(
        { err: error, topic, partition },
        'held-back records dropped, to be fetched again',
      );
      resume();
    });
  }

  /**
   * Hands the record to `handle` until it succeeds, then frees its place in the window. One
   * async function per record, as thousands may be in hand at once behind a backlog.
   */
  private async finish(
    record: ConsumedRecord,
    window: PartitionWindow,
    offset: bigint,
    revoked: AbortSignal,
  ): Promise<void> {
    this.inHand++;
    for (let attempt = 0; !revoked.aborted; attempt++) {
      try {
        await this.options.handle(record, revoked);
        break;
      } catch (error) {
        this.options.logger.error(
          { err: error, topic: record.topic, partition: record.partition, offset: record.offset },
          'record handling failed; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
    window.finish(offset);
    if (--this.inHand === 0) this.onAllFinished?.();
  }
}
