import { randomUUID } from 'node:crypto';
import { CompactedTopicReader, createKafkaClient } from '@campaign-webhooks/kafka';
import type { ConsumerConfig, Kafka } from 'kafkajs';
import { kafka } from '../support/kafka';
import { brokers, createTopics, silentLogger } from '../support/loops';

describe('CompactedTopicReader catching up against the broker', () => {
  const producer = kafka.producer();
  let reader: CompactedTopicReader | undefined;

  beforeAll(() => producer.connect());
  afterEach(() => reader?.stop());
  afterAll(() => producer.disconnect());

  async function follow(
    topic: string,
    table: Map<string, string | null>,
    fetchBytes?: number,
  ): Promise<CompactedTopicReader> {
    const client = createKafkaClient({ brokers, clientId: 'it', logger: silentLogger });
    const started = new CompactedTopicReader({
      kafka: fetchBytes
        ? ({
            consumer: (config: ConsumerConfig) =>
              client.consumer({ ...config, maxBytes: fetchBytes, maxBytesPerPartition: fetchBytes }),
            admin: () => client.admin(),
          } as Kafka)
        : client,
      topic,
      name: 'it',
      logger: silentLogger,
      apply: (key, value) => table.set(key, value?.toString() ?? null),
    });
    await started.start();
    await started.ready;
    return started;
  }

  const keys = Array.from({ length: 20_000 }, (_, index) => `k-${index}`);

  /** A value for each of `keys`, in requests of 2,000 records sent at once: many fetches' worth. */
  async function writeRound(topic: string, round: number): Promise<void> {
    const padding = 'x'.repeat(100);
    const chunks = Array.from({ length: keys.length / 2_000 }, (_, chunk) =>
      keys.slice(chunk * 2_000, (chunk + 1) * 2_000),
    );
    await Promise.all(
      chunks.map((chunk) =>
        producer.send({
          topic,
          acks: -1,
          messages: chunk.map((key) => ({ key, value: `round-${round}:${padding}` })),
        }),
      ),
    );
  }

  it('resolves only once every change written before the call has been applied', async () => {
    const topic = `it.table.${randomUUID()}`;
    await createTopics(4, topic);
    const table = new Map<string, string | null>();
    // A reader that fetches 16 KiB at a time is still applying a round, many fetches long, when
    // the call, made right after the round is written, looks where the topic ends.
    reader = await follow(topic, table, 16_384);

    for (let round = 1; round <= 3; round++) {
      await writeRound(topic, round);
      expect(await reader.catchUp(10_000)).toBe(true);
      expect(keys.filter((key) => !table.get(key)?.startsWith(`round-${round}:`))).toEqual([]);
    }

    await producer.send({ topic, acks: -1, messages: [{ key: 'k-0', value: null }] });
    expect(await reader.catchUp(5_000)).toBe(true);
    expect(table.get('k-0')).toBeNull();
  });

  it('gives up at its deadline, and at once when stopped', async () => {
    const topic = `it.table.${randomUUID()}`;
    await createTopics(1, topic);
    const table = new Map<string, string | null>();
    reader = await follow(topic, table, 16_384);
    await writeRound(topic, 1);

    // A hundred fetches behind, the reader can't be done in 20 ms.
    expect(await reader.catchUp(20)).toBe(false);
    expect(await reader.catchUp(10_000)).toBe(true);

    await reader.stop();
    await producer.send({ topic, acks: -1, messages: [{ key: 'late', value: 'v' }] });
    const asked = performance.now();
    expect(await reader.catchUp(10_000)).toBe(false);
    expect(performance.now() - asked).toBeLessThan(1_000);
    expect(table.has('late')).toBe(false);
  });
});
