/**
 * npm run bench:encoding: the CPU kafkajs spends turning a batch of records into a produce
 * request (grouping by partition, then encoding), and reading a record batch back as a consumer
 * does, with no broker and no network, for records shaped like the renderer's delivery records (a
 * key, a JSON body and five headers) and without headers. It isolates the client's cost that the
 * produce and consume ceilings in `npm run bench` measure together with the broker round trip.
 * See docs/performance.md.
 */
import { randomUUID } from 'node:crypto';
import { keyHashPartitioner } from '@campaign-webhooks/kafka';
import { Partitioners, type Message, type PartitionerArgs } from 'kafkajs';

type Partitioner = (args: PartitionerArgs) => number;

/** kafkajs's internals on the produce path, loaded by path: kafkajs declares no exports map. */
const groupByPartition: (args: {
  topic: string;
  partitionMetadata: PartitionerArgs['partitionMetadata'];
  messages: Message[];
  partitioner: Partitioner;
}) => Record<string, Message[]> = require('kafkajs/src/producer/groupMessagesPerPartition');
const produceRequest: (request: object) => {
  encode(): Promise<{ buffer: Buffer }>;
} = require('kafkajs/src/protocol/requests/produce/v3/request');
const Long: { fromInt(value: number): unknown } = require('kafkajs/src/utils/long');
const encodeRecord: (
  record: Message & { offsetDelta: number },
) => object = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(batch: { records: object[] }): Promise<{ buffer: Buffer }>;
};
const decodeBatch: (
  decoder: object,
) => Promise<unknown> = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const Decoder: new (buffer: Buffer) => object = require('kafkajs/src/protocol/decoder');

const BATCH = 500;
const ROUNDS = 400;
const REPEATS = 5;

const partitionMetadata = Array.from({ length: 8 }, (_, partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: 1,
  replicas: [1],
  isr: [1],
}));
const connections = Array.from({ length: 100 }, () => randomUUID());
const body = JSON.stringify({
  event: 'delivered',
  time: 1_764_201_600,
  project_id: 'project-1',
  properties: {
    message_type: 'email',
    campaign_id: 'c-1',
    profile_id: randomUUID(),
    subject: 'x'.repeat(120),
  },
});

function batch(withHeaders: boolean): Message[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    key: connections[i % connections.length],
    value: body,
    headers: withHeaders
      ? {
          'delivery-id': randomUUID(),
          'connection-id': connections[i % connections.length],
          'project-id': 'project-1',
          event: 'delivered',
          attempt: '1',
        }
      : undefined,
  }));
}

async function encode(messages: Message[], partitioner: Partitioner): Promise<number> {
  const grouped = groupByPartition({
    topic: 'webhooks.deliveries',
    partitionMetadata,
    messages,
    partitioner,
  });
  const partitions = Object.entries(grouped).map(([partition, records]) => ({
    partition: Number(partition),
    firstSequence: 0,
    messages: records,
  }));
  const request = produceRequest({
    acks: -1,
    timeout: 30_000,
    producerId: Long.fromInt(1),
    producerEpoch: 0,
    topicData: [{ topic: 'webhooks.deliveries', partitions }],
  });
  return (await request.encode()).buffer.length;
}

/** Median CPU µs per record over REPEATS runs of ROUNDS batches, after a warm-up. */
async function medianCpuPerRecord(round: (index: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < ROUNDS / 2; i++) await round(i);
  const perRecord: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const start = process.cpuUsage();
    for (let i = 0; i < ROUNDS; i++) await round(i);
    const used = process.cpuUsage(start);
    perRecord.push((used.user + used.system) / (ROUNDS * BATCH));
  }
  return perRecord.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

function measureEncoding(withHeaders: boolean, partitioner: Partitioner): Promise<number> {
  const batches = Array.from({ length: 10 }, () => batch(withHeaders));
  return medianCpuPerRecord((i) => encode(batches[i % batches.length], partitioner));
}

/** Decoding a record batch of BATCH records, as a fetch carries them. */
async function measureDecoding(withHeaders: boolean): Promise<number> {
  const records = batch(withHeaders).map((message, offsetDelta) => encodeRecord({ ...message, offsetDelta }));
  const { buffer } = await RecordBatch({ records });
  return medianCpuPerRecord(() => decodeBatch(new Decoder(buffer)));
}

async function main(): Promise<void> {
  const partitioners: [string, () => Partitioner][] = [
    ['keyHashPartitioner', keyHashPartitioner],
    ["kafkajs's default partitioner", Partitioners.DefaultPartitioner],
  ];
  console.log(`CPU µs per record, batches of ${BATCH} over 8 partitions, median of ${REPEATS}:`);
  for (const withHeaders of [true, false]) {
    for (const [name, create] of partitioners) {
      const us = await measureEncoding(withHeaders, create());
      console.log(`  ${withHeaders ? 'five headers' : 'no headers  '}  ${name.padEnd(30)} ${us.toFixed(1)}`);
    }
  }
  console.log(`CPU µs per record decoded from a record batch of ${BATCH}, median of ${REPEATS}:`);
  for (const withHeaders of [true, false]) {
    const us = await measureDecoding(withHeaders);
    console.log(`  ${withHeaders ? 'five headers' : 'no headers  '}  ${us.toFixed(1)}`);
  }
}

void main();
