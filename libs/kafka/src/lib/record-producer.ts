import {
  CompressionTypes,
  type Kafka,
  type Message,
  type Producer,
  type ProducerBatch,
  type TopicMessages,
} from 'kafkajs';
import { keyHashPartitioner } from './key-partitioner';
import { recordBytes, type OutgoingRecord } from './records';

export interface ProducerHooks {
  onProduced?(topic: string, count: number): void;
}

/** Errors after which the broker no longer knows the producer's id or sequence numbers. */
const PRODUCER_STATE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/**
 * An idempotent producer that waits for every in-sync replica (acks=all): a send that resolves
 * is durable, so the consume loop may commit what it read.
 */
export class RecordProducer {
  private producer: Producer;
  private connected = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly hooks: ProducerHooks = {},
  ) {
    this.producer = this.createProducer();
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
      await this.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
      if (this.hooks.onProduced) {
        for (const { topic, messages } of topicMessages) this.hooks.onProduced(topic, messages.length);
      }
    }
  }

  /**
   * kafkajs's idempotent producer never recovers once the broker has lost its state (a broker
   * restarted before it kept it, say): it refuses every send with the same error. A new producer
   * gets a new id, and the batch goes again under it; at worst that writes it twice, never loses it.
   */
  private async sendBatch(batch: ProducerBatch): Promise<void> {
    const producer = this.producer;
    try {
      await producer.sendBatch(batch);
    } catch (error) {
      if (!producerStateLost(error)) throw error;
      if (this.producer === producer) {
        this.producer = this.createProducer();
        await producer.disconnect().catch(() => undefined);
      }
      await this.producer.connect();
      await this.producer.sendBatch(batch);
    }
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      // One request in flight per broker keeps the idempotent sequence numbers in order.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: keyHashPartitioner,
    });
    producer.on(producer.events.CONNECT, () => (this.connected = this.producer === producer));
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connected = false;
    });
    return producer;
  }
}

/** Whether kafkajs's error, or one it wraps, says the broker lost the producer's state. */
export function producerStateLost(error: unknown): boolean {
  for (let cause = error; cause && typeof cause === 'object'; ) {
    const {
      type,
      originalError,
      cause: next,
    } = cause as { type?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof type === 'string' && PRODUCER_STATE_LOST.has(type)) return true;
    cause = originalError ?? next;
  }
  return false;
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
    const size = recordBytes(record);
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
