import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DeliveryLogStore } from '@campaign-webhooks/persistence';
import type { Logger } from 'pino';

const HOUR_MS = 3_600_000;

/** Creates the delivery log's coming day partitions and drops those past retention, hourly. */
export class DeliveryLogMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DeliveryLogStore,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    try {
      await this.store.maintainPartitions(new Date(), this.retentionDays);
    } catch (error) {
      // Rows still land in the default partition; the next run tries again.
      this.logger.warn({ err: error }, 'delivery log partitions not maintained');
    }
  }
}
