import { randomUUID } from 'node:crypto';
import {
  PipelineRuntime,
  PoisonRecordError,
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import { kafka, publish, disconnectProducer, TopicTap } from '../support/kafka';
import { brokers, createTopics, eventually, silentLogger } from '../support/loops';

async function committedOffsets(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

describe('BatchConsumer against the broker', () => {
  const runtimes: PipelineRuntime[] = [];
  let input: string;
  let output: string;
  let deadLetter: string;
  let groupId: string;

  beforeEach(async () => {
    const id = randomUUID();
    input = `it.in.${id}`;
    output = `it.out.${id}`;
    deadLetter = `it.dl.${id}`;
    groupId = `it.group.${id}`;
    await createTopics(2, input, output, deadLetter);
  });

  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
  });

  afterAll(() => disconnectProducer());

  function start(stage: BatchStage): Promise<void> {
    const runtime = new PipelineRuntime({
      brokers,
      clientId: 'it',
      logger: silentLogger,
    });
    runtime.consume({ groupId, topics: [input], deadLetterTopic: deadLetter, stage });
    runtimes.push(runtime);
    return runtime.start();
  }

  const echo = (seen: string[]): BatchStage => ({
    async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
      return records.map((record) => {
        const value = record.value?.toString() ?? '';
        seen.push(value);
        if (value.startsWith('poison')) return { poison: `poisoned: ${value}` };
        return { produce: [{ topic: output, key: record.key, value: `out:${value}` }] };
      });
    },
  });

  it('processes each record once, produces its output and commits past it', async () => {
    const seen: string[] = [];
    await start(echo(seen));
    await publish(
      input,
      ['a', 'b', 'c', 'd'].map((value, index) => ({ key: `k${index}`, value })),
    );
    await eventually(async () => (await committedOffsets(groupId, input)) === 4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'd']);

    const admin = kafka.admin();
    await admin.connect();
    const produced = (await admin.fetchTopicOffsets(output)).reduce((sum, { high }) => sum + Number(high), 0);
    await admin.disconnect();
    expect(produced).toBe(4);
  });

  it('dead-letters a poison record and goes on with the next', async () => {
    const seen: string[] = [];
    await start(echo(seen));
    await publish(input, [
      { key: 'same', value: 'poison-1' },
      { key: 'same', value: 'fine' },
    ]);
    await eventually(async () => (await committedOffsets(groupId, input)) === 2);
    expect(seen).toEqual(['poison-1', 'fine']);
    const admin = kafka.admin();
    await admin.connect();
    const letters = (await admin.fetchTopicOffsets(deadLetter)).reduce(
      (sum, { high }) => sum + Number(high),
      0,
    );
    await admin.disconnect();
    expect(letters).toBe(1);
  });

  /** Runs `test` with a tap on the dead-letter topic, closed after it. */
  async function withDeadLetters(test: (deadLetters: TopicTap) => Promise<void>): Promise<void> {
    const deadLetters = await TopicTap.open(deadLetter);
    try {
      await test(deadLetters);
    } finally {
      await deadLetters.close();
    }
  }

  it('dead-letters only the record a stage refuses for the whole batch, with the reason it gives', async () => {
    const seen: string[] = [];
    await withDeadLetters(async (deadLetters) => {
      await start({
        async handleBatch(records) {
          const refused = records.find((record) => record.value?.toString() === 'unwritable');
          if (refused) throw new PoisonRecordError('invalid_record: the store refused it');
          return echo(seen).handleBatch(records);
        },
      });
      await publish(input, [
        { key: 'same', value: 'before' },
        { key: 'same', value: 'unwritable' },
        { key: 'same', value: 'after' },
      ]);
      await eventually(async () => (await committedOffsets(groupId, input)) === 3);
      expect(seen.filter((value) => value !== 'unwritable')).toEqual(['before', 'after']);
      const [letter] = await deadLetters.waitFor<Record<string, unknown>>(1);
      expect(letter).toMatchObject({ reason: 'invalid_record: the store refused it' });
    });
  });

  it('retries a batch that fails transiently instead of dead-lettering it', async () => {
    let failures = 2;
    const seen: string[] = [];
    await start({
      async handleBatch(records) {
        if (failures-- > 0) throw new TransientError('database down');
        return echo(seen).handleBatch(records);
      },
    });
    await publish(input, [{ key: 'k', value: 'after-outage' }]);
    await eventually(async () => (await committedOffsets(groupId, input)) === 1);
    expect(seen).toEqual(['after-outage']);
  });

  it('dead-letters a record whose output the broker would refuse, and goes on with the next', async () => {
    const seen: string[] = [];
    await withDeadLetters(async (deadLetters) => {
      await start({
        async handleBatch(records) {
          return records.map((record) => {
            const value = record.value?.toString() ?? '';
            seen.push(value);
            // A rendering that expands past the broker's 1 MiB, as a template repeating a long value can.
            const out = value === 'expands' ? '\u0001'.repeat(1024 * 1024) : `out:${value}`;
            return { produce: [{ topic: output, key: record.key, value: out }] };
          });
        },
      });
      await publish(input, [
        { key: 'same', value: 'expands' },
        { key: 'same', value: 'fine' },
      ]);
      await eventually(async () => (await committedOffsets(groupId, input)) === 2);
      expect(seen).toEqual(['expands', 'fine']);
      const [letter] = await deadLetters.waitFor<{ reason: string }>(1);
      expect(letter.reason).toMatch(/^output_too_large: a it\.out\.[^ ]+ record of \d+ bytes/);
    });
  });

  it('splits output larger than the broker accepts in one request', async () => {
    const big = 'x'.repeat(200 * 1024);
    await start({
      async handleBatch(records) {
        // Eight 200 KiB records to one partition: 1.6 MiB, over the broker's 1 MiB batch limit.
        return records.map(() => ({
          produce: Array.from({ length: 8 }, () => ({ topic: output, key: 'one-partition', value: big })),
        }));
      },
    });
    await publish(input, [{ key: 'k', value: 'fan-out' }]);
    await eventually(async () => (await committedOffsets(groupId, input)) === 1);
  });
});
