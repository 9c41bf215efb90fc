import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionerArgs, type PartitionMetadata } from 'kafkajs';
import { keyHashPartitioner } from './key-partitioner';

function partitions(count: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, id) => ({
    partitionErrorCode: 0,
    partitionId: id,
    leader: leaderless.includes(id) ? -1 : 1,
    replicas: [1],
    isr: [1],
  }));
}

function args(partitionMetadata: PartitionMetadata[], message: PartitionerArgs['message']): PartitionerArgs {
  return { topic: 'campaign.deliveries', partitionMetadata, message };
}

describe('keyHashPartitioner', () => {
  it("puts every key on the partition kafkajs's default partitioner picks", () => {
    const ours = keyHashPartitioner();
    const kafkajs = Partitioners.DefaultPartitioner();
    const keys: (string | Buffer)[] = ['', 'a', 'ab', 'abc', 'é', '日本語のキー', 'x'.repeat(1001)];
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(i % 67);
      keys.push(bytes, bytes.toString('base64'));
    }
    const mismatches: string[] = [];
    for (const count of [1, 3, 8, 50]) {
      for (const key of keys) {
        const message = { key, value: null };
        const expected = kafkajs(args(partitions(count), message));
        const actual = ours(args(partitions(count), message));
        if (actual !== expected) mismatches.push(`${String(key)} of ${count}: ${actual} not ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('keeps the partition a record names', () => {
    const ours = keyHashPartitioner();
    expect(ours(args(partitions(8), { key: 'connection-1', value: null, partition: 5 }))).toBe(5);
  });

  it('spreads records without a key over the partitions that have a leader', () => {
    const ours = keyHashPartitioner();
    const chosen = new Set<number>();
    for (let i = 0; i < 40; i++) chosen.add(ours(args(partitions(4, [1, 3]), { key: null, value: null })));
    expect([...chosen].sort()).toEqual([0, 2]);
  });
});
