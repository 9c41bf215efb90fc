import type { Admin, Kafka } from 'kafkajs';
import type { KafkaLogger } from './kafka-client';

export type LagReport = (groupId: string, topic: string, partition: number, lag: number) => void;

export interface LagHooks {
  onLag: LagReport;
  /** A sample failed: the last figures reported are no longer known to hold. */
  onLagUnknown?: () => void;
}

/**
 * Samples a consumer group's lag (high watermark minus committed offset, per partition) from the
 * admin client at an interval, so dashboards see a backlog forming. A partition the group never
 * committed lags from its earliest record still kept, not from offset 0, which retention may have
 * deleted long ago.
 */
export class ConsumerLagSampler {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groups: { groupId: string; topics: string[] }[],
    private readonly hooks: LagHooks,
    private readonly logger: KafkaLogger,
    private readonly intervalMs = 5_000,
  ) {}

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect();
  }

  async sample(): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    try {
      for (const { groupId, topics } of this.groups) {
        const committed = await admin.fetchOffsets({ groupId, topics });
        for (const { topic, partitions } of committed) {
          const ends = await admin.fetchTopicOffsets(topic);
          for (const { partition, high, low } of ends) {
            const offset = BigInt(partitions.find((p) => p.partition === partition)?.offset ?? '-1');
            const from = offset < 0n ? BigInt(low) : offset;
            this.hooks.onLag(groupId, topic, partition, Number(BigInt(high) - from));
          }
        }
      }
      if (this.failing) this.logger.info({}, 'consumer lag sampled again');
      this.failing = false;
    } catch (error) {
      // Stale figures would read as a steady lag: better none, which an alert can see missing.
      this.hooks.onLagUnknown?.();
      if (!this.failing)
        this.logger.warn({ err: error }, 'consumer lag not sampled; its figures are withdrawn');
      this.failing = true;
    }
  }
}
