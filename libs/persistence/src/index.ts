export * from './lib/connection.entity';
export * from './lib/data-source';
