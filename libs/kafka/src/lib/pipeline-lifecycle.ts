import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PipelineRuntime } from './pipeline-runtime';
import { Readiness } from '@campaign-webhooks/observability';

/**
 * Starts a service's Kafka runtime once the app is up and stops it first on shutdown. Starting
 * does not block the HTTP port: /healthz answers while the broker is still out of reach, and
 * /readyz says so.
 */
@Injectable()
export class PipelineLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PipelineLifecycle.name);

  constructor(
    private readonly runtime: PipelineRuntime,
    readiness: Readiness,
  ) {
    readiness.register('kafka', () => runtime.isReady());
  }

  onApplicationBootstrap(): void {
    this.runtime.start().then(
      () => this.logger.log('consuming'),
      (error: unknown) => {
        this.logger.fatal(`Kafka runtime failed to start: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
