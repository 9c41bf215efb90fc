import { producerStateLost } from '@campaign-webhooks/kafka';
import type { Kafka, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';

/**
 * The platform's side of the input topics: an idempotent producer (a send retried across the
 * broker outage must not write an event twice, it would be a second webhook with another id).
 * kafkajs's idempotent producer refuses every send once the restarted broker has lost its state;
 * this one then starts a new producer for the next send, and fails the send in hand: it may have
 * been written already, so sending it again could write it twice. The generator counts it as
 * unpublished.
 */
export class RenewingProducer {
  private producer: Producer;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.create();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const producer = this.producer;
    try {
      return await producer.send(record);
    } catch (error) {
      if (producerStateLost(error) && this.producer === producer) {
        this.producer = this.create();
        await producer.disconnect().catch(() => undefined);
        await this.producer.connect().catch(() => undefined);
      }
      throw error;
    }
  }

  private create(): Producer {
    return this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  }
}
