export * from './lib/pipeline-metrics';
export * from './lib/readiness';
export * from './lib/logging';
export * from './lib/observability.module';
export * from './lib/operations.controller';
export * from './lib/start-service';
export * from './lib/scrape-time-counter';
