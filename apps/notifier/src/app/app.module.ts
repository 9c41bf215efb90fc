import { setting } from '@campaign-webhooks/config';
import { mirrorConnections } from '@campaign-webhooks/connection-feed';
import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import {
  loggingModule,
  ObservabilityModule,
  PipelineMetrics,
  Readiness,
} from '@campaign-webhooks/observability';
import { dataSourceOptions } from '@campaign-webhooks/persistence';
import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { NotifierConfig } from '../config';
import { AlertStage } from './alert-stage';
import { IncidentNotifier } from './incident-notifier';
import { checkPeriodMs } from './incident-policy';
import { NotifierMetrics } from './notifier-metrics';
import { RepeatTimer } from './repeat-timer';
import { SmtpMailer } from './smtp-mailer';
import { TypeOrmDeliveryLog } from './typeorm-delivery-log';
import { TypeOrmIncidentStore } from './typeorm-incident-store';

export const SERVICE = 'notifier';

@Module({})
export class AppModule implements OnApplicationShutdown {
  static register(config: NotifierConfig, logger: Logger): DynamicModule {
    const intervalMs = config.NOTIFY_INTERVAL_S * 1000;
    return {
      module: AppModule,
      imports: [
        loggingModule(logger),
        ObservabilityModule.forService(SERVICE),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.DATABASE_URL),
          retryAttempts: 1000,
          retryDelay: 2000,
        }),
      ],
      providers: [
        { provide: SmtpMailer, useValue: new SmtpMailer(config.SMTP_URL, config.NOTIFY_FROM) },
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
          provide: IncidentNotifier,
          inject: [PipelineRuntime, PipelineMetrics, DataSource, Readiness, SmtpMailer],
          useFactory: (
            runtime: PipelineRuntime,
            metrics: PipelineMetrics,
            dataSource: DataSource,
            readiness: Readiness,
            mailer: SmtpMailer,
          ) => {
            readiness.register('postgres', () => dataSource.query('select 1').then(() => true));
            const topics = topicNames(process.env);
            const notifierMetrics = new NotifierMetrics(metrics, () => notifier.openCount);
            const connections = mirrorConnections(runtime, topics.connections, metrics).index;
            const notifier: IncidentNotifier = new IncidentNotifier({
              store: new TypeOrmIncidentStore(dataSource),
              deliveryLog: new TypeOrmDeliveryLog(dataSource),
              mailer,
              connections,
              intervalMs,
              counters: notifierMetrics,
              log: logger,
            });
            runtime.consume({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.alerts],
              deadLetterTopic: topics.deadLetter,
              stage: new AlertStage(notifier, connections, notifierMetrics.alerts),
            });
            return notifier;
          },
        },
        {
          provide: RepeatTimer,
          inject: [IncidentNotifier, PipelineRuntime],
          useFactory: (notifier: IncidentNotifier, runtime: PipelineRuntime) =>
            new RepeatTimer({
              check: () => notifier.checkOpenIncidents(),
              periodMs: checkPeriodMs(intervalMs),
              canStart: () => runtime.isReady(),
              log: logger,
            }),
        },
        PipelineLifecycle,
      ],
    };
  }

  constructor(private readonly mailer: SmtpMailer) {}

  onApplicationShutdown(): void {
    this.mailer.close();
  }
}
