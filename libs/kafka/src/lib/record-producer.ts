import { CompressionTypes, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingRecord } from './records';

export interface ProducerHooks {
  onProduced?(topic: string, count: number): void;
}

/**
 * An idempotent producer that waits for every in-sync replica (acks=all): a send that resolves
 * is durable, so the consume loop may commit what it read.
 */
export class RecordProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly hooks: ProducerHooks = {},
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      // One request in flight per broker keeps the idempotent sequence numbers in order.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Sends records in order, in requests small enough for the broker's size limit. */
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    for (const chunk of chunksBySize(records, MAX_REQUEST_BYTES)) {
      const byTopic = new Map<string, Message[]>();
      for (const record of chunk) {
        let messages = byTopic.get(record.topic);
        if (!messages) byTopic.set(record.topic, (messages = []));
        messages.push({ key: record.key, value: record.value, headers: record.headers });
      }
      const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      await this.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
      if (this.hooks.onProduced) {
        for (const { topic, messages } of topicMessages) this.hooks.onProduced(topic, messages.length);
      }
    }
  }
}

/**
 * kafkajs writes one record batch per partition per request, and the broker refuses a batch over
 * message.max.bytes (1 MiB by default): keep each request well under it.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

export function* chunksBySize(
  records: readonly OutgoingRecord[],
  maxBytes: number,
): Generator<OutgoingRecord[]> {
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = approximateSize(record);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function approximateSize({ key, value, headers }: OutgoingRecord): number {
  let size = 64 + (key?.length ?? 0) + (value?.length ?? 0);
  if (headers) for (const name in headers) size += name.length + headers[name].length + 8;
  return size;
}
