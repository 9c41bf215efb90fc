import { randomInt } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * The Java client's murmur2 of a key, in 32-bit integer arithmetic. kafkajs computes the same
 * hash on 64-bit longs backed by BigInt, which cost the renderer 7 % of its CPU.
 */
function murmur2(key: Buffer | string): number {
  const data = typeof key === 'string' ? Buffer.from(key) : key;
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    h = Math.imul(h, M) ^ Math.imul(k, M);
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2] << 16;
    if (tail >= 2) h ^= data[whole + 1] << 8;
    h = Math.imul(h ^ data[whole], M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}

/**
 * kafkajs's default partitioner, so records land where kafkajs's and the Java client's put them:
 * a record's own partition if it names one, else its key's murmur2 hash, else the next partition
 * with a leader in turn.
 */
export const keyHashPartitioner: ICustomPartitioner = () => {
  let turn = randomInt(2 ** 31);
  return ({ partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== undefined && message.key !== null) {
      return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
    }
    const led = partitionMetadata.filter((partition) => partition.leader >= 0);
    const candidates = led.length > 0 ? led : partitionMetadata;
    return candidates[turn++ % candidates.length].partitionId;
  };
};
