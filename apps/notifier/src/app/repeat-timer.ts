import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { NotifierLog } from './incident-notifier';

export interface RepeatTimerOptions {
  /** One pass over the open incidents; rejections are logged and the next pass comes anyway. */
  check(): Promise<void>;
  periodMs: number;
  /** The first pass waits for this: the connections table must be complete before it is read. */
  canStart(): boolean;
  log: NotifierLog;
}

/**
 * Re-checks the open incidents on a timer, so repeats go out with no new alert. Passes never
 * overlap; shutdown waits for the one in progress.
 */
export class RepeatTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private started = false;

  constructor(private readonly options: RepeatTimerOptions) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        this.schedule(this.started ? this.options.periodMs : 250);
      });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    if (!this.started && !this.options.canStart()) return;
    this.started = true;
    try {
      await this.options.check();
    } catch (error) {
      this.options.log.warn({ err: error }, 'open incidents not checked; trying again next tick');
    }
  }
}
