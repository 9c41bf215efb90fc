import { KafkaJSProtocolError, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { deadLetterRecord, reasonCode } from './dead-letter';
import { pauseToStop, runAgainAfterCrashes } from './crash-recovery';
import { kafkaFetchOptions, type FetchTuning } from './fetch-tuning';
import type { KafkaLogger } from './kafka-client';
import { OffsetCommitter, ownedPartitions, partitionKey, type PartitionOffset } from './offset-committer';
import {
  MAX_RECORD_BYTES,
  oversizeBytes,
  toConsumedRecord,
  type ConsumedRecord,
  type OutgoingRecord,
} from './records';
import { isKafkaRetriable } from './retriable';
import { PoisonRecordError, TransientError } from './stage-errors';

/** What a stage decided for one consumed record. */
export type RecordResult = { produce: OutgoingRecord[] } | { poison: string };

/**
 * A pipeline stage: given a batch of records, returns one result per record, in order. Throwing a
 * TransientError retries the batch; throwing anything else isolates the record that fails, which
 * goes to the dead-letter topic with a PoisonRecordError's reason, or as a handler error.
 */
export interface BatchStage {
  handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]>;
}

export interface ConsumerHooks {
  onConsumed?(topic: string, count: number): void;
  onDeadLetter?(topic: string, reason: string): void;
}

/** Where a stage's output goes: resolves once the broker acknowledged every record. */
export interface RecordSink {
  send(records: readonly OutgoingRecord[]): Promise<void>;
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  producer: RecordSink;
  groupId: string;
  topics: string[];
  deadLetterTopic: string;
  stage: BatchStage;
  logger: KafkaLogger;
  partitionsConsumedConcurrently?: number;
  maxBytesPerPartition?: number;
  commitIntervalMs?: number;
  fetch?: FetchTuning;
  hooks?: ConsumerHooks;
}

const retryDelays = [100, 250, 500, 1000, 2000, 5000];

/** Returned instead of a result when the partition was lost while waiting to retry. */
const NOT_OWNED = Symbol('partition no longer owned');

/** What a heartbeat answers once the group is rebalancing or has moved on without this member. */
const MUST_REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

/**
 * The consume/produce loop every stage runs in: at-least-once, batch at a time.
 *
 * A batch's offsets are committed only after everything produced for it (results and dead
 * letters) is acknowledged by the broker, so a crash at any point re-delivers and never loses.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly committer: OffsetCommitter;
  /** Per partition, the offset after its last batch whose output is acknowledged. */
  private readonly done = new Map<string, PartitionOffset>();
  private readonly batchesInHand = new Set<Promise<void>>();
  private lastFetchAt = 0;
  private running = false;

  constructor(private readonly options: BatchConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // A member that stops heartbeating for 10 s is presumed dead and its partitions move on: a
      // crashed process's successor can't join before that. Long batches heartbeat as they go.
      sessionTimeout: 10_000,
      // Members get a minute to finish their in-flight batch when a rebalance starts.
      rebalanceTimeout: 60_000,
      heartbeatInterval: 2_000,
      ...kafkaFetchOptions(options.fetch),
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.FETCH_START, () => {
      this.lastFetchAt = Date.now();
    });
    this.committer = new OffsetCommitter(
      this.consumer,
      () => this.done.values(),
      options.logger,
      options.commitIntervalMs ?? 250,
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) =>
      this.forgetPartitions(ownedPartitions(payload.memberAssignment)),
    );
    // kafkajs leaves the group before it reports a crash: every partition counts as revoked.
    this.consumer.on(this.consumer.events.CRASH, () => this.forgetPartitions(new Set()));
    runAgainAfterCrashes(this.consumer, {
      name: this.name,
      logger: options.logger,
      shouldRun: () => this.running,
      run: () => this.run(),
    });
  }

  /**
   * What is done and not committed of a partition this member lost is left to its new owner: once
   * the group has moved on, a commit of it could move back an offset that owner committed.
   */
  private forgetPartitions(owned: ReadonlySet<string>): void {
    for (const id of [...this.done.keys()]) if (!owned.has(id)) this.done.delete(id);
    this.committer.keepOnly(owned);
  }

  get name(): string {
    return `consumer group ${this.options.groupId}`;
  }

  /** Epoch ms of the loop's last fetch: readiness asks that the loop still turns. */
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
      // Offsets are committed by hand, after the batch's output is acknowledged.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.track(this.consumeBatch(payload)),
    });
  }

  /**
   * Stops fetching, lets the batches in hand finish, commits, then leaves the group (kafkajs
   * leaves the group on disconnect, after which nothing can be committed).
   */
  async stop(graceMs = 15_000): Promise<void> {
    this.running = false;
    pauseToStop(this.consumer, this.options.topics, { name: this.name, logger: this.options.logger });
    const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.batchesInHand]), deadline]);
    this.committer.stop();
    await this.committer.commit();
    await this.consumer.disconnect();
  }

  private async track(batch: Promise<void>): Promise<void> {
    this.batchesInHand.add(batch);
    try {
      await batch;
    } finally {
      this.batchesInHand.delete(batch);
    }
  }

  private async consumeBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    // Once stopping, a batch kafkajs hands over is left unresolved for the next owner: stop() waits
    // only for the batches already in hand, and one begun later would commit after the last commit.
    if (batch.isEmpty() || !this.running) return;
    const { topic, partition } = batch;
    const id = partitionKey(topic, partition);
    // A rebalance this member came out of with the partition makes kafkajs fetch it again from the
    // committed offset, up to a commit interval behind what is done: that much is skipped, and
    // resolved so that the fetch moves past it. Offsets ascend, so the first one tells.
    const doneBelow = this.done.get(id)?.offset;
    const messages =
      doneBelow !== undefined && BigInt(batch.messages[0].offset) < doneBelow
        ? batch.messages.filter((message) => BigInt(message.offset) >= doneBelow)
        : batch.messages;
    if (messages.length === 0) {
      resolveOffset(batch.messages[batch.messages.length - 1].offset);
      return;
    }
    const records = messages.map((message) => toConsumedRecord(topic, partition, message));
    this.options.hooks?.onConsumed?.(topic, records.length);

    // Long work must not look like a dead member: heartbeat while the stage runs. kafkajs rejoins a
    // rebalancing group only once the batch is handled, so a batch retrying a transient failure
    // gives way when a heartbeat says the group is moving; the new owner fetches it again.
    let mustRejoin = false;
    const stillOwned = () => !mustRejoin && isRunning() && !isStale();
    const keepAlive = setInterval(() => {
      heartbeat().catch((error: unknown) => {
        if (error instanceof KafkaJSProtocolError && MUST_REJOIN.has(error.type)) mustRejoin = true;
      });
    }, 1_000);
    try {
      const outgoing = await this.process(records, stillOwned);
      if (outgoing === NOT_OWNED) return;
      const sent = await this.retryTransient(() => this.options.producer.send(outgoing), stillOwned, topic);
      if (sent === NOT_OWNED) return;
      const last = records[records.length - 1].offset;
      resolveOffset(last);
      this.done.set(id, { topic, partition, offset: BigInt(last) + 1n });
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Runs the stage and returns what to produce for the batch. */
  private async process(
    records: ConsumedRecord[],
    stillOwned: () => boolean,
  ): Promise<OutgoingRecord[] | typeof NOT_OWNED> {
    const { stage } = this.options;
    let results: RecordResult[] | typeof NOT_OWNED;
    try {
      results = await this.retryTransient(() => stage.handleBatch(records), stillOwned, records[0].topic);
    } catch (error) {
      results = await this.isolate(records, stillOwned, error);
    }
    if (results === NOT_OWNED) return NOT_OWNED;
    if (results.length !== records.length) {
      throw new Error(`stage returned ${results.length} results for ${records.length} records`);
    }
    return this.toOutgoing(records, results);
  }

  /** Runs the batch record by record so that only the record that fails is dead-lettered. */
  private async isolate(
    records: ConsumedRecord[],
    stillOwned: () => boolean,
    batchError: unknown,
  ): Promise<RecordResult[] | typeof NOT_OWNED> {
    this.options.logger.warn({ err: batchError }, 'stage failed on a batch; retrying record by record');
    const results: RecordResult[] = [];
    for (const record of records) {
      try {
        const result = await this.retryTransient(
          () => this.options.stage.handleBatch([record]),
          stillOwned,
          record.topic,
        );
        if (result === NOT_OWNED) return NOT_OWNED;
        results.push(result[0]);
      } catch (error) {
        results.push({ poison: poisonReason(error) });
      }
    }
    return results;
  }

  private toOutgoing(records: ConsumedRecord[], results: RecordResult[]): OutgoingRecord[] {
    const { deadLetterTopic, hooks, logger } = this.options;
    const outgoing: OutgoingRecord[] = [];
    results.forEach((stageResult, index) => {
      const result = withinSizeLimit(stageResult);
      if ('produce' in result) {
        outgoing.push(...result.produce);
        return;
      }
      const record = records[index];
      logger.warn(
        { topic: record.topic, partition: record.partition, offset: record.offset, reason: result.poison },
        'record sent to the dead-letter topic',
      );
      hooks?.onDeadLetter?.(record.topic, reasonCode(result.poison));
      outgoing.push(deadLetterRecord(deadLetterTopic, record, result.poison));
    });
    return outgoing;
  }

  /** Retries transient failures with backoff while the partition is still ours. */
  private async retryTransient<T>(
    work: () => Promise<T>,
    stillOwned: () => boolean,
    topic: string,
  ): Promise<T | typeof NOT_OWNED> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof TransientError) && !isKafkaRetriable(error)) throw error;
        if (!stillOwned()) return NOT_OWNED;
        const delay = retryDelays[Math.min(attempt, retryDelays.length - 1)];
        this.options.logger.warn({ err: error, topic, attempt, delay }, 'transient failure; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (!stillOwned()) return NOT_OWNED;
      }
    }
  }
}

/** A stage names the reason of a record it refuses; any other failure is the handler's. */
function poisonReason(error: unknown): string {
  if (error instanceof PoisonRecordError) return error.reason;
  return `handler_error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A result whose output the broker would refuse becomes a dead letter for its input record. */
function withinSizeLimit(result: RecordResult): RecordResult {
  if (!('produce' in result)) return result;
  for (const record of result.produce) {
    const bytes = oversizeBytes(record);
    if (bytes !== undefined) {
      return {
        poison: `output_too_large: a ${record.topic} record of ${bytes} bytes, over the ${MAX_RECORD_BYTES} the broker takes`,
      };
    }
  }
  return result;
}
