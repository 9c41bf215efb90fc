import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';

export const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export const kafka = new Kafka({
  brokers,
  clientId: 'e2e',
  logLevel: logLevel.NOTHING,
});

let producer: Producer | undefined;

/** Publishes raw values (strings are sent as they are, so malformed JSON can be sent too). */
export async function publish(
  topic: string,
  messages: {
    key: string;
    value: string | Buffer | null;
    headers?: Record<string, string>;
    partition?: number;
  }[],
) {
  if (!producer) {
    producer = kafka.producer();
    await producer.connect();
  }
  await producer.send({ topic, messages, acks: -1 });
}

export async function disconnectProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
}

export interface TappedRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  /** When the record was produced, in epoch milliseconds. */
  timestamp: number;
}

/** Records a topic receives from the moment the tap opens. */
export class TopicTap {
  readonly records: TappedRecord[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async open(topic: string): Promise<TopicTap> {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const startAt = new Map(ends.map(({ partition, high }) => [partition, BigInt(high)]));

    const consumer = kafka.consumer({ groupId: `e2e-tap-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const tap = new TopicTap(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (BigInt(message.offset) < (startAt.get(partition) ?? 0n)) return;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = value.toString();
        }
        tap.records.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
          partition,
          timestamp: Number(message.timestamp),
        });
      },
    });
    await joined;
    for (const { partition, high } of ends) consumer.seek({ topic, partition, offset: high });
    return tap;
  }

  /** JSON values of the records that satisfy `predicate`, once there are at least `count`. */
  async waitFor<T = Record<string, unknown>>(
    count: number,
    predicate: (value: T) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<T[]> {
    const valueOf = (record: TappedRecord) => JSON.parse(record.value as string) as T;
    const matching = await this.waitForRecords(
      count,
      (record) => record.value !== null && predicate(valueOf(record)),
      timeoutMs,
    );
    return matching.map(valueOf);
  }

  /** The records, headers and all, that satisfy `predicate`, once there are at least `count`. */
  async waitForRecords(
    count: number,
    predicate: (record: TappedRecord) => boolean,
    timeoutMs = 30_000,
  ): Promise<TappedRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.records.filter(predicate);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline)
        throw new Error(`expected ${count} records, got ${matching.length} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }
}
