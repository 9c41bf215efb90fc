export * from './lib/basic-auth';
export * from './lib/bearer-auth';
export * from './lib/signing-key';
export * from './lib/webhook-signature';
export * from './lib/oauth-token-error';
export {
  requestClientCredentialsToken,
  type IssuedToken,
  type TokenExchangeOptions,
  type TokenRequestConfig,
} from './lib/oauth-token-request';
export * from './lib/oauth-token-provider';
export * from './lib/outbound-auth';
export * from './lib/egresses';
export * from './lib/authenticated-send';
