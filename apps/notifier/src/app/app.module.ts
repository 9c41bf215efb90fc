import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import { loggingModule, ObservabilityModule, PipelineMetrics } from '@campaign-webhooks/observability';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { NotifierConfig } from '../config';
import { AlertStage } from './alert-stage';

export const SERVICE = 'notifier';

@Module({})
export class AppModule {
  static register(config: NotifierConfig, logger: Logger): DynamicModule {
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
            const alerts = new Counter({
              name: 'webhooks_alerts_received_total',
              help: 'Failure alerts read, by kind.',
              labelNames: ['kind'],
              registers: [metrics.registry],
            });
            runtime.consume({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.alerts],
              deadLetterTopic: topics.deadLetter,
              stage: new AlertStage(alerts),
            });
            return runtime;
          },
        },
        PipelineLifecycle,
      ],
    };
  }
}
