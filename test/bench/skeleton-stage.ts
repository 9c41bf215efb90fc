/**
 * One stage of the Kafka skeleton (skeleton.ts), in a process of its own: the consume and
 * produce loop of the service it stands for, from libs/kafka with the same settings, and no
 * work of its own. What it consumes it hands on unchanged, or, for the delivery log, drops.
 */
import { parseConfig, setting } from '@campaign-webhooks/config';
import {
  PipelineRuntime,
  type ConsumedRecord,
  type KafkaLogger,
  type OutgoingRecord,
} from '@campaign-webhooks/kafka';
import { z } from 'zod';
import { readStamp } from './bench-event';
import { Histogram } from './histogram';
import { SKELETON_ROLES, SKELETON_TOPICS, type StageCommand, type StageReply } from './skeleton-protocol';

/** Five small headers on every record handed on, as the pipeline's records carry. */
const HEADERS = {
  'webhook-id': 'msg_2b8f6c1e9a7d4c3b8e5f0a1d',
  'connection-id': '5f0c2a8e-3b1d-4e7a-9c6f-2d8b1a0e7c53',
  'project-id': 'project-17',
  'event-type': 'message_send',
  attempt: '1',
};

const stageSettings = z.object({
  KAFKA_BROKERS: setting.kafkaBrokers,
  /** The generator's performance.timeOrigin, so the delivery stage can read the events' t0. */
  SKELETON_TIME_ORIGIN: z.coerce.number(),
  PARTITIONS_CONSUMED_CONCURRENTLY: setting.positiveInt(8),
  WINDOW_PER_PARTITION: setting.positiveInt(1000),
});

const role = z.enum(SKELETON_ROLES).parse(process.env.SKELETON_ROLE);
const recorder = role === 'delivery-log';
const config = parseConfig(
  stageSettings.extend(recorder ? setting.recordingKafkaTuning : setting.kafkaTuning),
  process.env,
);

const logger: KafkaLogger = {
  error: (fields, message) => console.error(`[${role}] ${message} ${JSON.stringify(fields)}`),
  warn: (fields, message) => console.error(`[${role}] ${message} ${JSON.stringify(fields)}`),
  info: () => undefined,
  debug: () => undefined,
};

let counting = false;
let records = 0;
/** Delivery stage only: from the event's scheduled send to the stage taking the record, µs. */
const latency = new Histogram();

const runtime = new PipelineRuntime({
  brokers: config.KAFKA_BROKERS,
  clientId: `skeleton-${role}`,
  logger,
  ...setting.kafkaRuntimeTuning(config),
  hooks: {
    onConsumed: (_topic, count) => {
      if (counting) records += count;
    },
  },
});

// Counts the fetches of the consume loop's kafkajs consumer, which libs/kafka keeps to itself.
let fetches = 0;
const createConsumer = runtime.kafka.consumer.bind(runtime.kafka);
runtime.kafka.consumer = (consumerConfig) => {
  const consumer = createConsumer(consumerConfig);
  consumer.on(consumer.events.FETCH_START, () => {
    if (counting) fetches++;
  });
  return consumer;
};

const handOn = (record: ConsumedRecord, topic: string): OutgoingRecord => ({
  topic,
  key: record.key,
  value: record.value,
  headers: HEADERS,
});

function buildStage(): void {
  const groupId = `skeleton-${role}`;
  const { events, matched, deliveries, outcomes, deadLetter } = SKELETON_TOPICS;
  const relay = (from: string, to: string) =>
    runtime.consume({
      groupId,
      topics: [from],
      deadLetterTopic: deadLetter,
      partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
      stage: { handleBatch: async (batch) => batch.map((record) => ({ produce: [handOn(record, to)] })) },
    });
  if (role === 'filter') relay(events, matched);
  else if (role === 'renderer') relay(matched, deliveries);
  else if (role === 'delivery') {
    runtime.consumeWindowed({
      groupId,
      topics: [deliveries],
      windowPerPartition: config.WINDOW_PER_PARTITION,
      handle: (record) => {
        if (counting) takeLatency(record);
        return runtime.batching.send([handOn(record, outcomes)]);
      },
    });
  } else {
    runtime.consume({
      groupId,
      topics: [outcomes],
      deadLetterTopic: deadLetter,
      stage: { handleBatch: async (batch) => batch.map(() => ({ produce: [] })) },
    });
  }
}

function takeLatency(record: ConsumedRecord): void {
  const stamp = record.value && readStamp(record.value.toString('utf8'));
  if (!stamp) return;
  const now = performance.timeOrigin + performance.now();
  latency.record(Math.max(0, (now - config.SKELETON_TIME_ORIGIN - stamp.t0) * 1000));
}

function send(reply: StageReply): void {
  process.send?.(reply);
}

process.on('message', (command: StageCommand) => {
  if (command.type === 'begin') {
    records = 0;
    fetches = 0;
    latency.reset();
    counting = true;
  } else {
    counting = false;
    send({ type: 'window', records, fetches, latency: latency.snapshot() });
  }
});

process.once('SIGTERM', () => {
  void runtime.stop().finally(() => process.exit(0));
});

buildStage();
void runtime.start().then(
  () => send({ type: 'ready' }),
  (error: unknown) => {
    logger.error({ err: String(error) }, 'the stage did not start');
    process.exit(1);
  },
);
