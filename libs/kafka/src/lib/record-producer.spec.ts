import { chunksBySize } from './record-producer';

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
