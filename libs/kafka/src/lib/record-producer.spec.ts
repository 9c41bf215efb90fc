import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Kafka, type ProducerBatch } from 'kafkajs';
import { chunksBySize, producerStateLost, RecordProducer } from './record-producer';

const record = (bytes: number) => ({ topic: 't', key: 'k', value: 'x'.repeat(bytes) });

describe('chunksBySize', () => {
  it('keeps order and splits before a chunk would pass the limit', () => {
    const records = [record(400), record(400), record(400), record(100)];
    const chunks = [...chunksBySize(records, 1000)];
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 2]);
    expect(chunks.flat()).toEqual(records);
  });

  it('sends a record larger than the limit on its own', () => {
    const chunks = [...chunksBySize([record(10), record(5000), record(10)], 1000)];
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });

  it('yields nothing for nothing', () => {
    expect([...chunksBySize([], 1000)]).toEqual([]);
  });
});

const protocolError = (type: string) =>
  new KafkaJSProtocolError({ type, code: 45, retriable: false, message: type } as unknown as Error);

describe('producerStateLost', () => {
  it('recognises the errors after which a new producer id is needed, wrapped or not', () => {
    expect(producerStateLost(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(true);
    expect(producerStateLost(protocolError('UNKNOWN_PRODUCER_ID'))).toBe(true);
    expect(
      producerStateLost(
        Object.assign(new KafkaJSNonRetriableError('send failed'), {
          cause: protocolError('INVALID_PRODUCER_EPOCH'),
        }),
      ),
    ).toBe(true);
  });

  it('leaves every other error to the caller', () => {
    expect(producerStateLost(protocolError('NOT_LEADER_FOR_PARTITION'))).toBe(false);
    expect(producerStateLost(new Error('socket hang up'))).toBe(false);
    expect(producerStateLost(undefined)).toBe(false);
  });
});

describe('RecordProducer after the broker lost its state', () => {
  /** A kafkajs client whose producers record what they do; the first refuses with `firstError`. */
  function fakeKafka(firstError: Error) {
    const producers: { sent: ProducerBatch[]; connected: boolean; disconnected: boolean }[] = [];
    const kafka = {
      producer: () => {
        const log = { sent: [] as ProducerBatch[], connected: false, disconnected: false };
        const index = producers.push(log) - 1;
        return {
          events: { CONNECT: 'connect', DISCONNECT: 'disconnect' },
          on: () => undefined,
          connect: async () => void (log.connected = true),
          disconnect: async () => void (log.disconnected = true),
          sendBatch: async (batch: ProducerBatch) => {
            if (index === 0) throw firstError;
            log.sent.push(batch);
            return [];
          },
        };
      },
    };
    return { kafka: kafka as unknown as Kafka, producers };
  }
  const records = [{ topic: 't', key: 'k', value: 'v' }];

  it('starts a new producer and sends the batch again under it', async () => {
    const { kafka, producers } = fakeKafka(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    const producer = new RecordProducer(kafka);

    await producer.send(records);

    expect(producers).toHaveLength(2);
    expect(producers[0].disconnected).toBe(true);
    expect(producers[1].connected).toBe(true);
    expect(producers[1].sent.flatMap((batch) => batch.topicMessages ?? [])).toEqual([
      { topic: 't', messages: [{ key: 'k', value: 'v', headers: undefined }] },
    ]);
  });

  it('passes any other error to the caller, with the same producer', async () => {
    const { kafka, producers } = fakeKafka(new Error('socket hang up'));
    const producer = new RecordProducer(kafka);

    await expect(producer.send(records)).rejects.toThrow('socket hang up');
    expect(producers).toHaveLength(1);
  });
});
