import { keyHashPartitioner } from '@campaign-webhooks/kafka';
import type { Kafka } from 'kafkajs';
import { messageEvent } from './bench-event';
import type { CpuReading, ProcessSampler } from './process-sampler';

export interface KafkaCeilingPart {
  records: number;
  seconds: number;
  recordsPerS: number;
  harnessCpuUsPerRecord: number;
  brokerCpuUsPerRecord: number;
  otherCores: number;
}

export interface KafkaCeiling {
  topic: string;
  partitions: number;
  batchSize: number;
  produce: KafkaCeilingPart;
  consume: KafkaCeilingPart;
}

const TOPIC = 'bench.ceiling';

/**
 * kafkajs alone against the same broker, with the services' settings: an idempotent producer,
 * acks=all, one request in flight, batches of `batchSize` message events for `durationS`
 * seconds; then a consumer group reading them all back with eachBatch and doing nothing else.
 */
export async function measureKafkaCeiling(
  kafka: Kafka,
  sampler: ProcessSampler,
  { partitions, durationS, batchSize }: { partitions: number; durationS: number; batchSize: number },
): Promise<KafkaCeiling> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const { produce, total } = await produceFor(kafka, sampler, durationS, batchSize);
  const consume = await consumeAll(kafka, sampler, total, durationS * 3 + 30);
  return { topic: TOPIC, partitions, batchSize, produce, consume };
}

async function produceFor(kafka: Kafka, sampler: ProcessSampler, durationS: number, batchSize: number) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: keyHashPartitioner,
  });
  await producer.connect();
  let seq = 0;
  const batch = () =>
    Array.from({ length: batchSize }, () =>
      messageEvent({ seq: seq++, phase: 0, t0: performance.now() }, 100),
    );
  try {
    // One batch first so connections and metadata are in place before measuring.
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: TOPIC, messages: batch() }] });
    const start = sampler.read();
    const deadline = performance.now() + durationS * 1000;
    let records = 0;
    while (performance.now() < deadline) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: TOPIC, messages: batch() }] });
      records += batchSize;
    }
    return { produce: part(start, sampler.read(), records), total: records + batchSize };
  } finally {
    await producer.disconnect();
  }
}

async function consumeAll(kafka: Kafka, sampler: ProcessSampler, expected: number, timeoutS: number) {
  const consumer = kafka.consumer({
    groupId: `bench.ceiling.${Date.now()}`,
    maxWaitTimeInMs: 1_000,
    maxBytesPerPartition: 1_048_576,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    let consumed = 0;
    let start: CpuReading | undefined;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        start ??= sampler.read();
        consumed += batch.messages.length;
        if (consumed >= expected) finish();
      },
    });
    const timer = setTimeout(finish, timeoutS * 1000);
    await done;
    clearTimeout(timer);
    const end = sampler.read();
    return part(start ?? end, end, consumed);
  } finally {
    await consumer.disconnect();
  }
}

function part(start: CpuReading, end: CpuReading, records: number): KafkaCeilingPart {
  const cpu = (name: string) => (end.processes[name] ?? 0) - (start.processes[name] ?? 0);
  const wallUs = (end.at - start.at) * 1000;
  const seconds = wallUs / 1e6;
  return {
    records,
    seconds,
    recordsPerS: records / seconds,
    harnessCpuUsPerRecord: cpu('harness') / records,
    brokerCpuUsPerRecord: cpu('broker') / records,
    otherCores: (end.machineBusy - start.machineBusy - cpu('harness') - cpu('broker')) / wallUs,
  };
}
