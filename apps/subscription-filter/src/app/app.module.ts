import { setting } from '@campaign-webhooks/config';
import { mirrorConnections } from '@campaign-webhooks/connection-feed';
import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import { loggingModule, ObservabilityModule, PipelineMetrics } from '@campaign-webhooks/observability';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { FilterConfig } from '../config';
import { FilterMetrics } from './filter-metrics';
import { FilterStage } from './filter-stage';

export const SERVICE = 'subscription-filter';

@Module({})
export class AppModule {
  static register(config: FilterConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [loggingModule(logger), ObservabilityModule.forService(SERVICE)],
      providers: [
        {
          provide: PipelineRuntime,
          inject: [PipelineMetrics],
          useFactory: (metrics: PipelineMetrics) => {
            const topics = topicNames(process.env);
            const runtime = new PipelineRuntime({
              ...setting.kafkaConnection(config),
              ...setting.kafkaRuntimeTuning(config),
              clientId: SERVICE,
              logger,
              hooks: metrics.kafkaHooks,
            });
            const connections = mirrorConnections(runtime, topics.connections, metrics).index;
            runtime.consume({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.messageEvents, topics.subscriptionEvents],
              deadLetterTopic: topics.deadLetter,
              partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
              stage: new FilterStage(
                topics,
                connections,
                new FilterMetrics(metrics),
                config.DELIVERY_ID_NAMESPACE,
              ),
            });
            return runtime;
          },
        },
        PipelineLifecycle,
      ],
    };
  }
}
