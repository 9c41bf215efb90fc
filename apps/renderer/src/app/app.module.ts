import { mirrorConnections } from '@campaign-webhooks/connection-feed';
import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import { loggingModule, ObservabilityModule, PipelineMetrics } from '@campaign-webhooks/observability';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { RendererConfig } from '../config';
import { RenderStage } from './render-stage';

export const SERVICE = 'renderer';

@Module({})
export class AppModule {
  static register(config: RendererConfig, logger: Logger): DynamicModule {
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
              brokers: config.KAFKA_BROKERS,
              clientId: SERVICE,
              logger,
              hooks: metrics.kafkaHooks,
            });
            const connections = mirrorConnections(runtime, topics.connections, metrics);
            const rendered = new Counter({
              name: 'webhooks_renders_total',
              help: 'Request bodies rendered, by event.',
              labelNames: ['event'],
              registers: [metrics.registry],
            });
            runtime.consume({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.matched],
              deadLetterTopic: topics.deadLetter,
              partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
              stage: new RenderStage(topics, connections, rendered),
            });
            return runtime;
          },
        },
        PipelineLifecycle,
      ],
    };
  }
}
