import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PipelineRuntime } from './pipeline-runtime';
import { Readiness } from '@campaign-webhooks/observability';

/** How often readiness is checked for the log, which says when it changes and why. */
const READINESS_LOG_PERIOD_MS = 5_000;

/**
 * Starts a service's Kafka runtime once the app is up and stops it first on shutdown. Starting
 * does not block the HTTP port: /healthz answers while the broker is still out of reach, and
 * /readyz says so.
 */
@Injectable()
export class PipelineLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PipelineLifecycle.name);
  private readinessLog: NodeJS.Timeout | undefined;

  constructor(
    private readonly runtime: PipelineRuntime,
    readiness: Readiness,
  ) {
    readiness.register('kafka', () => runtime.notReadyReasons());
  }

  onApplicationBootstrap(): void {
    this.runtime.start().then(
      () => {
        this.logger.log('consuming');
        this.logReadinessChanges();
      },
      (error: unknown) => {
        this.logger.fatal(`Kafka runtime failed to start: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.readinessLog);
    await this.runtime.stop();
  }

  private logReadinessChanges(): void {
    let last = '';
    this.readinessLog = setInterval(() => {
      const reasons = this.runtime.notReadyReasons().join('; ');
      if (reasons === last) return;
      if (reasons) this.logger.warn(`Kafka not ready: ${reasons}`);
      else this.logger.log('Kafka ready again');
      last = reasons;
    }, READINESS_LOG_PERIOD_MS).unref();
  }
}
