import { setting } from '@campaign-webhooks/config';
import { topicNames } from '@campaign-webhooks/contracts';
import { PipelineLifecycle, PipelineRuntime } from '@campaign-webhooks/kafka';
import {
  loggingModule,
  ObservabilityModule,
  PipelineMetrics,
  Readiness,
} from '@campaign-webhooks/observability';
import { PRODUCT_USER_AGENT } from '@campaign-webhooks/contracts';
import { createEgresses } from '@campaign-webhooks/outbound-auth';
import { dataSourceOptions, DeliveryLogStore } from '@campaign-webhooks/persistence';
import { parseSecretsKey, SecretBox } from '@campaign-webhooks/secrets';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AdminConfig } from '../config';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRing } from './auth/api-key-ring';
import { RateLimiter } from './auth/rate-limiter';
import { CatalogController } from './catalog/catalog.controller';
import { ConnectionFeedPublisher } from './connections/connection-feed-publisher';
import { ConnectionStore } from './connections/connection-store';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsService } from './connections/connections.service';
import { ENDPOINT_POLICY, EndpointUrlConstraint } from './connections/endpoint-url.constraint';
import { DeliveriesController } from './delivery-log/deliveries.controller';
import { DeliveriesService } from './delivery-log/deliveries.service';
import { AttemptLogStage } from './delivery-log/delivery-log-stages';
import { DeliveryLogMaintenance } from './delivery-log/delivery-log-maintenance';
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
      controllers: [CatalogController, ConnectionsController, TemplatesController, DeliveriesController],
      providers: [
        { provide: ApiKeyRing, useValue: new ApiKeyRing(config.ADMIN_API_KEYS) },
        { provide: SecretBox, useValue: new SecretBox(parseSecretsKey(config.SECRETS_KEY)) },
        {
          provide: RateLimiter,
          useValue: new RateLimiter(config.ADMIN_RATE_LIMIT_PER_SECOND, config.ADMIN_RATE_LIMIT_BURST),
        },
        ApiKeyGuard,
        { provide: ENDPOINT_POLICY, useValue: config.ENDPOINT_POLICY },
        EndpointUrlConstraint,
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
        PipelineLifecycle,
        {
          provide: ConnectionStore,
          inject: [DataSource, PipelineRuntime, Readiness],
          useFactory: (dataSource: DataSource, runtime: PipelineRuntime, readiness: Readiness) => {
            readiness.register('postgres', () => dataSource.query('select 1').then(() => true));
            return new ConnectionStore(
              dataSource,
              new ConnectionFeedPublisher(runtime, topicNames(process.env)),
              logger,
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
          provide: DeliveryLogStore,
          inject: [DataSource, PipelineRuntime, PipelineMetrics],
          useFactory: (dataSource: DataSource, runtime: PipelineRuntime, metrics: PipelineMetrics) => {
            const writes = new Counter({
              name: 'webhooks_delivery_log_writes_total',
              help: 'Statements that wrote attempts to the delivery log.',
              registers: [metrics.registry],
            });
            const store = new DeliveryLogStore(dataSource, () => writes.inc());
            const topics = topicNames(process.env);
            runtime.consume({
              groupId: `${config.DELIVERY_LOG_GROUP_ID}.attempts`,
              topics: [topics.outcomes],
              deadLetterTopic: topics.deadLetter,
              stage: new AttemptLogStage(store),
              partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
            });
            return store;
          },
        },
        {
          provide: DeliveryLogMaintenance,
          inject: [DeliveryLogStore],
          useFactory: (store: DeliveryLogStore) =>
            new DeliveryLogMaintenance(store, config.DELIVERY_LOG_RETENTION_DAYS, logger),
        },
        {
          provide: DeliveriesService,
          inject: [DataSource, DeliveryLogStore, PipelineRuntime, SecretBox],
          useFactory: (
            dataSource: DataSource,
            log: DeliveryLogStore,
            runtime: PipelineRuntime,
            secrets: SecretBox,
          ) => {
            const egresses = createEgresses({
              policy: config.ENDPOINT_POLICY,
              timeoutMs: config.DELIVERY_TIMEOUT_MS,
              userAgent: PRODUCT_USER_AGENT,
              staticEgress: setting.staticEgressOf(config),
            });
            return new DeliveriesService(
              dataSource,
              log,
              runtime,
              topicNames(process.env),
              secrets,
              egresses,
            );
          },
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
