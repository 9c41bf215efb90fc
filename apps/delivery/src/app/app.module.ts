import { setting } from '@campaign-webhooks/config';
import { mirrorConnections } from '@campaign-webhooks/connection-feed';
import { PRODUCT_USER_AGENT, topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import { loggingModule, ObservabilityModule, PipelineMetrics } from '@campaign-webhooks/observability';
import { createEgresses } from '@campaign-webhooks/outbound-auth';
import { parseSecretsKey, SecretBox } from '@campaign-webhooks/secrets';
import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { DeliveryConfig } from '../config';
import { CredentialsCache } from './credentials-cache';
import { DeliveryEngine } from './delivery-engine';
import { DeliveryMetrics } from './delivery-metrics';
import { FailureAlerts } from './failure-alerts';
import { RetrySchedule } from './retry-schedule';

export const SERVICE = 'delivery';

@Module({})
export class AppModule implements OnApplicationShutdown {
  static register(config: DeliveryConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [loggingModule(logger), ObservabilityModule.forService(SERVICE)],
      providers: [
        {
          provide: PipelineRuntime,
          inject: [PipelineMetrics],
          useFactory: (metrics: PipelineMetrics) =>
            new PipelineRuntime({
              ...setting.kafkaConnection(config),
              ...setting.kafkaRuntimeTuning(config),
              clientId: SERVICE,
              logger,
              hooks: metrics.kafkaHooks,
            }),
        },
        {
          provide: DeliveryEngine,
          inject: [PipelineRuntime, PipelineMetrics],
          useFactory: (runtime: PipelineRuntime, metrics: PipelineMetrics) => {
            const topics = topicNames(process.env);
            const tokenFetches = new Counter({
              name: 'webhooks_oauth_token_fetches_total',
              help: 'OAuth 2.0 access token requests, by result.',
              labelNames: ['result'],
              registers: [metrics.registry],
            });
            const egresses = createEgresses({
              policy: config.ENDPOINT_POLICY,
              timeoutMs: config.DELIVERY_TIMEOUT_MS,
              userAgent: PRODUCT_USER_AGENT,
              staticEgress: setting.staticEgressOf(config),
              onTokenFetch: (result) => tokenFetches.inc({ result }),
            });
            const engine: DeliveryEngine = new DeliveryEngine({
              topics,
              connections: mirrorConnections(runtime, topics.connections, metrics),
              credentials: new CredentialsCache(new SecretBox(parseSecretsKey(config.SECRETS_KEY))),
              sender: egresses.standard.sender,
              staticSender: egresses.static?.sender,
              auth: egresses.standard.auth,
              staticAuth: egresses.static?.auth,
              producer: runtime.batching,
              schedule: new RetrySchedule(config.RETRY_SCHEDULE),
              lanes: {
                maxInFlight: config.MAX_IN_FLIGHT_PER_CONNECTION,
                queueLimit: config.LANE_QUEUE_LIMIT,
                breakerResetMs: config.BREAKER_RESET_MS,
                breakerVolumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
                breakerErrorPercentage: config.BREAKER_ERROR_PERCENTAGE,
                breakerWindowMs: config.BREAKER_WINDOW_MS,
                breakerEnabled: config.BREAKER_ENABLED,
              },
              alerts: new FailureAlerts(config.FAILURES_BEFORE_ALERT),
              metrics: new DeliveryMetrics(metrics, () => engine),
              logger,
            });
            runtime.consumeWindowed({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.deliveries, topics.retries],
              windowPerPartition: config.WINDOW_PER_PARTITION,
              handle: (record, revoked) => engine.handle(record, revoked),
              onStopping: () => engine.handBack(),
            });
            return engine;
          },
        },
        PipelineLifecycle,
      ],
    };
  }

  constructor(private readonly engine: DeliveryEngine) {}

  async onApplicationShutdown(): Promise<void> {
    this.engine.shutdown();
    await this.engine.closeSenders();
  }
}
