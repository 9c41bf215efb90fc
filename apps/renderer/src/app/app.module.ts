import { setting } from '@campaign-webhooks/config';
import { mirrorConnections } from '@campaign-webhooks/connection-feed';
import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import {
  loggingModule,
  ObservabilityModule,
  PipelineMetrics,
  Readiness,
  ScrapeTimeCounter,
} from '@campaign-webhooks/observability';
import { dataSourceOptions, ProfileStore } from '@campaign-webhooks/persistence';
import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { RendererConfig } from '../config';
import { ProfileCache } from './profile-cache';
import { ProfileStage } from './profile-stage';
import { RenderStage } from './render-stage';
import { TemplateCache } from './template-cache';

export const SERVICE = 'renderer';

@Module({})
export class AppModule implements OnApplicationShutdown {
  static register(config: RendererConfig, logger: Logger): DynamicModule {
    const dataSource = new DataSource(dataSourceOptions(config.DATABASE_URL));
    return {
      module: AppModule,
      imports: [loggingModule(logger), ObservabilityModule.forService(SERVICE)],
      providers: [
        { provide: DataSource, useValue: dataSource },
        {
          provide: PipelineRuntime,
          inject: [PipelineMetrics, Readiness],
          useFactory: (metrics: PipelineMetrics, readiness: Readiness) => {
            readiness.register(
              'postgres',
              () => dataSource.isInitialized && dataSource.query('select 1').then(() => true),
            );
            // The database may still be starting: connect in the background, readiness says when.
            void connectWithRetry(dataSource, logger);
            const topics = topicNames(process.env);
            const runtime = new PipelineRuntime({
              ...setting.kafkaConnection(config),
              ...setting.kafkaRuntimeTuning(config),
              clientId: SERVICE,
              logger,
              hooks: metrics.kafkaHooks,
            });
            const connections = mirrorConnections(runtime, topics.connections, metrics);
            const rendered = new ScrapeTimeCounter({
              name: 'webhooks_renders_total',
              help: 'Request bodies rendered, by event and body (default or template).',
              labelNames: ['event', 'body'],
              registers: [metrics.registry],
            });
            const profiles = new ProfileStore(dataSource);
            const profileCache = new ProfileCache(config.PROFILE_CACHE_TTL_MS);
            runtime.consume({
              groupId: config.KAFKA_GROUP_ID,
              topics: [topics.matched],
              deadLetterTopic: topics.deadLetter,
              partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
              stage: new RenderStage(
                topics,
                connections,
                new TemplateCache(logger),
                profiles,
                profileCache,
                rendered,
              ),
            });
            runtime.consume({
              groupId: `${config.KAFKA_GROUP_ID}.profiles`,
              topics: [topics.profiles],
              deadLetterTopic: topics.deadLetter,
              stage: new ProfileStage(profiles, profileCache),
            });
            return runtime;
          },
        },
        PipelineLifecycle,
      ],
    };
  }

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

async function connectWithRetry(dataSource: DataSource, logger: Logger): Promise<void> {
  for (;;) {
    try {
      await dataSource.initialize();
      return;
    } catch (error) {
      logger.warn({ err: error }, 'PostgreSQL not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
