import type { Kafka, KafkaMessage } from 'kafkajs';

/** Reads a topic from its start to the end offsets it had when reading began. */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  onMessage: (message: KafkaMessage) => void,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Map(
    ends
      .filter(({ high, low }) => Number(high) > Number(low))
      .map(({ partition, high }) => [partition, Number(high)]),
  );
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({ groupId: `bench.reader.${topic}.${Date.now()}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages) if (Number(message.offset) < end) onMessage(message);
        if (Number(batch.lastOffset()) + 1 >= end) remaining.delete(batch.partition);
        if (remaining.size === 0) finish();
      },
    });
    const timer = setTimeout(finish, 120_000);
    await done;
    clearTimeout(timer);
    if (remaining.size > 0) throw new Error(`${topic} not read to its end within 120 s`);
  } finally {
    await consumer.disconnect();
  }
}
