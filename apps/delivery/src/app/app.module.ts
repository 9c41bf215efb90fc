import { mirrorConnections } from '@campaign-webhooks/connection-feed';
import { PRODUCT_USER_AGENT, topicNames } from '@campaign-webhooks/contracts';
import { WebhookSender } from '@campaign-webhooks/http-delivery';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import { loggingModule, ObservabilityModule, PipelineMetrics } from '@campaign-webhooks/observability';
import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DeliveryConfig } from '../config';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryStage } from './delivery-stage';

export const SERVICE = 'delivery';

@Module({})
export class AppModule implements OnApplicationShutdown {
  static register(config: DeliveryConfig, logger: Logger): DynamicModule {
    const sender = new WebhookSender({
      timeoutMs: config.DELIVERY_TIMEOUT_MS,
      policy: config.ENDPOINT_POLICY,
      userAgent: PRODUCT_USER_AGENT,
    });
    return {
      module: AppModule,
      imports: [loggingModule(logger), ObservabilityModule.forService(SERVICE)],
      providers: [
        { provide: WebhookSender, useValue: sender },
        {
          provide: PipelineRuntime,
          inject: [PipelineMetrics],
          useFactory: (metrics: PipelineMetrics) => {
            const topics = topicNames(process.env);
            const runtime = new PipelineRuntime({
              brokers: config.KAFKA_BROKERS,
              clientId: SERVICE,
              logger,
              hooks: metrics.kafkaHooks,
            });
            const connections = mirrorConnections(runtime, topics.connections, metrics);
            runtime.consume({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.deliveries],
              deadLetterTopic: topics.deadLetter,
              partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
              stage: new DeliveryStage(topics, connections, sender, new DeliveryMetrics(metrics)),
            });
            return runtime;
          },
        },
        PipelineLifecycle,
      ],
    };
  }

  constructor(private readonly sender: WebhookSender) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sender.close();
  }
}
