import type { Kafka } from 'kafkajs';
import { BatchConsumer, type BatchConsumerOptions, type ConsumerHooks } from './batch-consumer';
import type { FetchTuning } from './fetch-tuning';
import { BatchingProducer } from './batching-producer';
import { CompactedTopicReader, type CompactedTopicReaderOptions } from './compacted-topic-reader';
import { ConsumerLagSampler, type LagHooks } from './consumer-lag';
import { createKafkaClient, type KafkaClientOptions } from './kafka-client';
import { RecordProducer, type ProducerHooks } from './record-producer';
import { WindowedConsumer, type WindowedConsumerOptions } from './windowed-consumer';

interface ConsumeLoop {
  /** Names the loop when readiness says why it is not ready. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly lastActivityAt: number;
}

export interface PipelineRuntimeOptions extends KafkaClientOptions {
  hooks?: ConsumerHooks & ProducerHooks & Partial<LagHooks>;
  /** Records produced within this many ms go in one request (KAFKA_LINGER_MS; 0: the same turn). */
  lingerMs?: number;
  /** Consumed offsets are committed this often (KAFKA_COMMIT_INTERVAL_MS). */
  commitIntervalMs?: number;
  /** How long a fetch waits for how much data (KAFKA_FETCH_MIN_BYTES, KAFKA_FETCH_MAX_WAIT_MS). */
  fetch?: FetchTuning;
  /** How long `stop()` may take; default 25 s. */
  stopDeadlineMs?: number;
}

/** A loop that has not fetched for this long is considered stuck. */
const STALE_AFTER_MS = 15_000;

/**
 * Past a consumer's 15 s for the batches in hand, 10 s to commit and leave; within the 30 s a pod
 * is given to stop. With the broker unreachable, commits and leaving retry for longer than that.
 */
const STOP_DEADLINE_MS = 25_000;

/**
 * The Kafka side of one service: a producer, the compacted tables it mirrors, and its consume
 * loops. Starts tables before loops (records are matched against a complete table) and stops
 * loops first (their last batches still produce and commit).
 */
export class PipelineRuntime {
  readonly kafka: Kafka;
  readonly producer: RecordProducer;
  /** The producer the pipeline's output goes through: concurrent sends share requests. */
  readonly batching: BatchingProducer;
  private readonly readers: CompactedTopicReader[] = [];
  private readonly consumers: ConsumeLoop[] = [];
  private readonly groups: { groupId: string; topics: string[] }[] = [];
  private lagSampler: ConsumerLagSampler | undefined;
  private started = false;

  constructor(private readonly options: PipelineRuntimeOptions) {
    this.kafka = createKafkaClient(options);
    this.producer = new RecordProducer(this.kafka, options.hooks);
    this.batching = new BatchingProducer(this.producer, options.lingerMs);
  }

  mirror(options: Omit<CompactedTopicReaderOptions, 'kafka' | 'logger' | 'name'>): CompactedTopicReader {
    const reader = new CompactedTopicReader({
      ...options,
      kafka: this.kafka,
      logger: this.options.logger,
      name: this.options.clientId,
    });
    this.readers.push(reader);
    return reader;
  }

  consume(
    options: Omit<
      BatchConsumerOptions,
      'kafka' | 'producer' | 'logger' | 'hooks' | 'commitIntervalMs' | 'fetch'
    >,
  ): BatchConsumer {
    const consumer = new BatchConsumer({
      ...options,
      kafka: this.kafka,
      producer: this.batching,
      commitIntervalMs: this.options.commitIntervalMs,
      fetch: this.options.fetch,
      logger: this.options.logger,
      hooks: this.options.hooks,
    });
    this.groups.push({ groupId: options.groupId, topics: options.topics });
    this.consumers.push(consumer);
    return consumer;
  }

  consumeWindowed(
    options: Omit<WindowedConsumerOptions, 'kafka' | 'logger' | 'onConsumed' | 'commitIntervalMs' | 'fetch'>,
  ): WindowedConsumer {
    const consumer = new WindowedConsumer({
      ...options,
      commitIntervalMs: this.options.commitIntervalMs,
      fetch: this.options.fetch,
      kafka: this.kafka,
      logger: this.options.logger,
      onConsumed: this.options.hooks?.onConsumed,
    });
    this.groups.push({ groupId: options.groupId, topics: options.topics });
    this.consumers.push(consumer);
    return consumer;
  }

  async start(): Promise<void> {
    await this.producer.connect();
    // Lag is known from the start: a service reading a large table first shows its backlog growing.
    const onLag = this.options.hooks?.onLag;
    if (onLag && this.groups.length > 0) {
      const hooks = { onLag, onLagUnknown: this.options.hooks?.onLagUnknown };
      this.lagSampler = new ConsumerLagSampler(this.kafka, this.groups, hooks, this.options.logger);
      await this.lagSampler.start();
    }
    await Promise.all(this.readers.map((reader) => reader.start()));
    await Promise.all(this.readers.map((reader) => reader.ready));
    for (const consumer of this.consumers) await consumer.start();
    this.started = true;
  }

  /**
   * Stops the loops (their last batches still produce and commit), then the tables and the
   * producer. Gives up at the deadline, when the broker cannot be reached: what was not committed
   * is consumed again by the partitions' next owner.
   */
  async stop(): Promise<void> {
    const deadlineMs = this.options.stopDeadlineMs ?? STOP_DEADLINE_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(resolve, deadlineMs, 'late');
    });
    const stopped = this.stopInOrder().then(() => 'stopped' as const);
    const outcome = await Promise.race([stopped, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.options.logger.warn(
        { deadlineMs },
        `Kafka not stopped within ${deadlineMs / 1000} s (broker unreachable?); ` +
          'records not committed are consumed again by their next owner',
      );
    }
  }

  private async stopInOrder(): Promise<void> {
    await this.lagSampler?.stop();
    await Promise.allSettled(this.consumers.map((consumer) => consumer.stop()));
    await Promise.allSettled(this.readers.map((reader) => reader.stop()));
    await this.producer.disconnect();
  }

  /** Connected, tables caught up, and every loop fetched recently. */
  isReady(now = Date.now()): boolean {
    return this.notReadyReasons(now).length === 0;
  }

  /** Why the runtime can't take work now, one line per cause; empty when it can. */
  notReadyReasons(now = Date.now()): string[] {
    if (!this.started) return ['starting'];
    return notReadyReasons(
      this.producer.isConnected,
      this.readers,
      [...this.readers, ...this.consumers],
      now,
    );
  }
}

/** Readiness asks a connected producer, tables caught up, and every loop fetching. */
export function notReadyReasons(
  producerConnected: boolean,
  tables: readonly { name: string; isCaughtUp: boolean }[],
  loops: readonly { name: string; lastActivityAt: number }[],
  now: number,
): string[] {
  const reasons: string[] = [];
  if (!producerConnected) reasons.push('producer not connected');
  for (const table of tables) if (!table.isCaughtUp) reasons.push(`${table.name} not caught up`);
  for (const loop of loops) {
    if (now - loop.lastActivityAt >= STALE_AFTER_MS) {
      reasons.push(`${loop.name} has not fetched for ${STALE_AFTER_MS / 1000} s or more`);
    }
  }
  return reasons;
}
