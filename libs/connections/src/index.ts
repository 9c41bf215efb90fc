export * from './lib/matching-rules';
export * from './lib/connection-index';
