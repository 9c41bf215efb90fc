export * from './lib/catalog';
export * from './lib/topics';
export * from './lib/input-messages';
export * from './lib/pipeline-messages';
export * from './lib/output-messages';
export * from './lib/connection';
export * from './lib/credentials';
export * from './lib/connection.fixture';
