import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { chunksBySize, producerStateLost } from './record-producer';

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

describe('producerStateLost', () => {
  const protocolError = (type: string) =>
    new KafkaJSProtocolError({ type, code: 45, retriable: false, message: type } as unknown as Error);

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
