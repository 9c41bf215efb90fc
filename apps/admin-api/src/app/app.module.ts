import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import {
  loggingModule,
  ObservabilityModule,
  PipelineMetrics,
  Readiness,
} from '@campaign-webhooks/observability';
import { dataSourceOptions } from '@campaign-webhooks/persistence';
import { parseSecretsKey, SecretBox } from '@campaign-webhooks/secrets';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AdminConfig } from '../config';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRing } from './auth/api-key-ring';
import { CatalogController } from './catalog/catalog.controller';
import { ConnectionFeedPublisher } from './connections/connection-feed-publisher';
import { ConnectionStore } from './connections/connection-store';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsService } from './connections/connections.service';
import { ENDPOINT_POLICY, EndpointUrlConstraint } from './connections/endpoint-url.constraint';
import { TemplatesController } from './templates/templates.controller';
import { TemplatesService } from './templates/templates.service';

export const SERVICE = 'admin-api';

@Module({})
export class AppModule {
  static register(config: AdminConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule(logger, true),
        ObservabilityModule.forService(SERVICE),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.DATABASE_URL),
          retryAttempts: 1000,
          retryDelay: 2000,
        }),
      ],
      controllers: [CatalogController, ConnectionsController, TemplatesController],
      providers: [
        { provide: ApiKeyRing, useValue: new ApiKeyRing(config.ADMIN_API_KEYS) },
        { provide: SecretBox, useValue: new SecretBox(parseSecretsKey(config.SECRETS_KEY)) },
        ApiKeyGuard,
        { provide: ENDPOINT_POLICY, useValue: config.ENDPOINT_POLICY },
        EndpointUrlConstraint,
        {
          provide: PipelineRuntime,
          inject: [PipelineMetrics],
          useFactory: (metrics: PipelineMetrics) =>
            new PipelineRuntime({
              brokers: config.KAFKA_BROKERS,
              clientId: SERVICE,
              logger,
              hooks: metrics.kafkaHooks,
            }),
        },
        PipelineLifecycle,
        {
          provide: ConnectionStore,
          inject: [DataSource, PipelineRuntime, Readiness],
          useFactory: (dataSource: DataSource, runtime: PipelineRuntime, readiness: Readiness) => {
            readiness.register('postgres', () => dataSource.query('select 1').then(() => true));
            return new ConnectionStore(
              dataSource,
              new ConnectionFeedPublisher(runtime, topicNames(process.env)),
            );
          },
        },
        {
          provide: ConnectionsService,
          inject: [ConnectionStore, SecretBox],
          useFactory: (store: ConnectionStore, secrets: SecretBox) =>
            new ConnectionsService(store, secrets, config.ENDPOINT_POLICY),
        },
        {
          provide: TemplatesService,
          inject: [ConnectionStore],
          useFactory: (store: ConnectionStore) => new TemplatesService(store),
        },
      ],
    };
  }
}
