import type { Admin } from 'kafkajs';

/** Records not yet committed, per group and topic: `filter`, `renderer`, `delivery`, `retries`. */
export type LagReading = Record<string, number>;

/** The pipeline's groups; retries are read apart because they wait for their due time on purpose. */
export function pipelineGroups(): { name: string; groupId: string; topic: string }[] {
  return [
    { name: 'filter', groupId: 'webhooks.subscription-filter', topic: 'campaign.message-events' },
    { name: 'renderer', groupId: 'webhooks.renderer', topic: 'webhooks.matched' },
    { name: 'delivery', groupId: 'webhooks.delivery', topic: 'webhooks.deliveries' },
    { name: 'retries', groupId: 'webhooks.delivery', topic: 'webhooks.retries' },
  ];
}

/** Lag on the main path (everything but retries), the figure that must stay bounded. */
export function mainPathLag(reading: LagReading): number {
  return (reading['filter'] ?? 0) + (reading['renderer'] ?? 0) + (reading['delivery'] ?? 0);
}

/**
 * Consumer lag from the broker's view: the end offset of each partition minus the group's
 * committed offset (a group that never committed on a partition lags by the whole partition).
 */
export class LagMonitor {
  constructor(private readonly admin: Admin) {}

  async read(): Promise<LagReading> {
    const reading: LagReading = {};
    await Promise.all(
      pipelineGroups().map(async ({ name, groupId, topic }) => {
        const [ends, committed] = await Promise.all([
          this.admin.fetchTopicOffsets(topic),
          this.admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const committedByPartition = new Map(
          (committed[0]?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]),
        );
        let lag = 0;
        for (const { partition, high, low } of ends) {
          const done = committedByPartition.get(partition) ?? -1;
          lag += Math.max(0, Number(high) - (done < 0 ? Number(low) : done));
        }
        reading[name] = lag;
      }),
    );
    return reading;
  }
}
