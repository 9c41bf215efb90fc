import { randomUUID } from 'node:crypto';
import { createKafkaClient, WindowedConsumer, type ConsumedRecord } from '@campaign-webhooks/kafka';
import type { Consumer, Kafka } from 'kafkajs';
import { kafka } from '../support/kafka';
import { brokers, createTopics, eventually, silentLogger } from '../support/loops';

describe('WindowedConsumer against the broker', () => {
  const producer = kafka.producer();
  let consumer: WindowedConsumer | undefined;

  beforeAll(() => producer.connect());
  afterEach(() => consumer?.stop(1_000));
  afterAll(() => producer.disconnect());

  /** `count` small records to partition 0 in one request, so one fetch may bring them all. */
  const sendNumbered = (topic: string, count: number) =>
    producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, index) => ({ partition: 0, value: `r-${index}` })),
    });

  /** `requests` requests of ten 4 KiB records each to partition 0: a record batch per request. */
  const sendLarge = async (topic: string, requests: number) => {
    const value = 'x'.repeat(4096);
    for (let request = 0; request < requests; request++) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 10 }, () => ({ partition: 0, value })),
      });
    }
  };

  it('keeps consuming other partitions while one has a full window', async () => {
    const topic = `it.window.${randomUUID()}`;
    await createTopics(2, topic);

    const seen: string[] = [];
    const holding: (() => void)[] = [];
    consumer = new WindowedConsumer({
      kafka: createKafkaClient({
        brokers,
        clientId: 'it',
        logger: silentLogger,
      }),
      groupId: `it.window.${randomUUID()}`,
      topics: [topic],
      logger: silentLogger,
      windowPerPartition: 2,
      handle: (record: ConsumedRecord) => {
        const value = record.value?.toString() ?? '';
        if (!value.startsWith('slow')) {
          seen.push(value);
          return Promise.resolve();
        }
        return new Promise<void>((resolve) =>
          holding.push(() => {
            seen.push(value);
            resolve();
          }),
        );
      },
    });
    await consumer.start();

    const send = (partition: number, values: string[]) =>
      producer.send({ topic, acks: -1, messages: values.map((value) => ({ partition, value })) });
    await send(0, ['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-5']);
    await eventually(() => holding.length === 2);

    // Partition 0's window is full; partition 1 must still flow.
    await send(1, ['quick-1', 'quick-2', 'quick-3']);
    await eventually(() => seen.length === 3);
    expect(seen).toEqual(['quick-1', 'quick-2', 'quick-3']);

    // Room again: the rest of partition 0 is fetched and taken.
    while (seen.length < 8) {
      holding.splice(0).forEach((finish) => finish());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.filter((value) => value.startsWith('slow'))).toEqual([
      'slow-1',
      'slow-2',
      'slow-3',
      'slow-4',
      'slow-5',
    ]);
  });

  it('takes a partition up again soon after its full window has room', async () => {
    const topic = `it.window.${randomUUID()}`;
    await createTopics(1, topic);
    const records = 60;
    await sendNumbered(topic, records);

    let handled = 0;
    consumer = new WindowedConsumer({
      kafka: createKafkaClient({ brokers, clientId: 'it', logger: silentLogger }),
      groupId: `it.window.${randomUUID()}`,
      topics: [topic],
      logger: silentLogger,
      windowPerPartition: 5,
      // Finishing takes a moment, as an acknowledged produce does: the partition is still paused
      // when kafkajs fetches next.
      handle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        handled++;
      },
    });
    const startedAt = Date.now();
    await consumer.start();

    // The window fills a dozen times. Were each refill to wait out a whole idle fetch (1 s by
    // default) with its only partition paused, draining would take 12 s or more.
    await eventually(() => handled === records, 30_000);
    expect(Date.now() - startedAt).toBeLessThan(6_000);
  });

  it('takes the rest of a batch that found its window full without fetching it again', async () => {
    const topic = `it.window.${randomUUID()}`;
    await createTopics(1, topic);
    const records = 60;
    await sendNumbered(topic, records);

    const client = createKafkaClient({ brokers, clientId: 'it', logger: silentLogger });
    let received = 0;
    onBatch(client, (size) => (received += size));
    const handled: string[] = [];
    consumer = new WindowedConsumer({
      kafka: client,
      groupId: `it.window.${randomUUID()}`,
      topics: [topic],
      logger: silentLogger,
      windowPerPartition: 5,
      handle: async (record) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        handled.push(record.value?.toString() ?? '');
      },
    });
    await consumer.start();

    await eventually(() => handled.length === records, 30_000);
    expect(new Set(handled).size).toBe(records);
    // Fetched again, the window's dozen refills would have handed over 390 records.
    expect(received).toBe(records);
  });

  it('fetches past the records it took before when a rebalance leaves it the partition', async () => {
    const topic = `it.window.${randomUUID()}`;
    await createTopics(1, topic);
    // 200 records of 4 KiB, 800 KiB: the window runs far more than one fetch (256 KiB) past the
    // first record, which stays unfinished and so holds the committed offset at 0.
    await sendLarge(topic, 20);

    const groupId = `it.window.${randomUUID()}`;
    const client = createKafkaClient({ brokers, clientId: 'it-a', logger: silentLogger });
    let joins = 0;
    onConsumer(client, (made) => made.on(made.events.GROUP_JOIN, () => joins++));
    let finished = 0;
    let finishFirst: () => void = () => undefined;
    const later: string[] = [];
    consumer = new WindowedConsumer({
      kafka: client,
      groupId,
      topics: [topic],
      logger: silentLogger,
      handle: (record) => {
        if (record.offset === '0') return new Promise<void>((resolve) => (finishFirst = resolve));
        const text = record.value?.toString() ?? '';
        if (text.startsWith('later')) later.push(text);
        finished++;
        return Promise.resolve();
      },
    });
    await consumer.start();
    await eventually(() => finished === 199, 30_000);

    // A second member whose id sorts after this one's: round-robin leaves the partition here, and
    // this member fetches it again from the committed offset.
    const other = createKafkaClient({ brokers, clientId: 'it-z', logger: silentLogger }).consumer({
      groupId,
    });
    try {
      await other.connect();
      await other.subscribe({ topics: [topic] });
      await other.run({ eachMessage: async () => undefined });
      await eventually(() => joins === 2, 30_000);

      await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: 'later-1' }] });
      await eventually(() => later.length === 1, 15_000);
    } finally {
      finishFirst();
      await other.disconnect();
    }
  });

  it('fetches at most a quarter of a MiB of a partition at a time', async () => {
    const topic = `it.window.${randomUUID()}`;
    await createTopics(1, topic);
    // 400 KiB in ten record batches, which a fetch may split.
    await sendLarge(topic, 10);

    const client = createKafkaClient({ brokers, clientId: 'it', logger: silentLogger });
    const batchSizes: number[] = [];
    onBatch(client, (size) => batchSizes.push(size));
    let handled = 0;
    consumer = new WindowedConsumer({
      kafka: client,
      groupId: `it.window.${randomUUID()}`,
      topics: [topic],
      logger: silentLogger,
      handle: async () => {
        handled++;
      },
    });
    await consumer.start();

    await eventually(() => handled === 100, 30_000);
    // kafkajs's default, 1 MiB, would have brought all 100 in the first fetch.
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(70);
  });
});

/** Calls `batch` with the size of each batch kafkajs hands a consumer `client` makes. */
function onBatch(client: Kafka, batch: (size: number) => void): void {
  onConsumer(client, (made) =>
    made.on(made.events.START_BATCH_PROCESS, ({ payload }) => batch(payload.batchSize)),
  );
}

/** Calls `watch` with each consumer `client` makes, before it runs. */
function onConsumer(client: Kafka, watch: (consumer: Consumer) => void): void {
  const makeConsumer = client.consumer.bind(client);
  client.consumer = (config) => {
    const made = makeConsumer(config);
    watch(made);
    return made;
  };
}
