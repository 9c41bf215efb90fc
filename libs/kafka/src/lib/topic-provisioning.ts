import type { Admin } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  compacted?: boolean;
}

/**
 * Creates missing topics and grows partition counts that are too small. Existing topics keep
 * their data; partitions are never removed (Kafka cannot shrink a topic).
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: -1,
        configEntries: spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    });
  }
  const present = specs.filter((spec) => existing.has(spec.topic));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
    const grow = present.flatMap((spec) => {
      const current = metadata.topics.find((topic) => topic.name === spec.topic)?.partitions.length ?? 0;
      return current < spec.partitions ? [{ topic: spec.topic, count: spec.partitions }] : [];
    });
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
  }
  return missing.map((spec) => spec.topic);
}
