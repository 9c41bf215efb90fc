import type { Admin, Kafka } from 'kafkajs';
import type { KafkaLogger } from './kafka-client';

export type LagReport = (groupId: string, topic: string, partition: number, lag: number) => void;

/**
 * Samples a consumer group's lag (high watermark minus committed offset, per partition) from the
 * admin client at an interval, so dashboards see a backlog forming.
 */
export class ConsumerLagSampler {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groups: { groupId: string; topics: string[] }[],
    private readonly report: LagReport,
    private readonly logger: KafkaLogger,
    private readonly intervalMs = 5_000,
  ) {}

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect();
  }

  private async sample(): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    try {
      for (const { groupId, topics } of this.groups) {
        const committed = await admin.fetchOffsets({ groupId, topics });
        for (const { topic, partitions } of committed) {
          const ends = await admin.fetchTopicOffsets(topic);
          for (const { partition, high } of ends) {
            const offset = partitions.find((p) => p.partition === partition)?.offset ?? '-1';
            const from = BigInt(offset) < 0n ? 0n : BigInt(offset);
            this.report(groupId, topic, partition, Number(BigInt(high) - from));
          }
        }
      }
    } catch (error) {
      this.logger.debug({ err: error }, 'consumer lag not sampled');
    }
  }
}
