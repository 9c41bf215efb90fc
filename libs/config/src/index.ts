export * from './lib/load-config';
export * as setting from './lib/settings';
