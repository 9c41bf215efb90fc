export * from './lib/connection-feed';
