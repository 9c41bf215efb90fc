export * from './lib/secrets-key';
export * from './lib/secret-box';
