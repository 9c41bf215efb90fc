import type { Credentials } from '@campaign-webhooks/contracts';
import { basicAuthorization } from './basic-auth';
import { bearerAuthorization } from './bearer-auth';
import type { OAuthTokenProvider } from './oauth-token-provider';
import { activeSigningSecrets, signWebhook } from './webhook-signature';

export interface OutboundAuthOptions {
  tokens: OAuthTokenProvider;
  /** Epoch milliseconds; decides whether a previous signing secret still signs. */
  now?: () => number;
}

/** What the auth headers of one attempt depend on: its `webhook-id`, `webhook-timestamp` and body. */
export interface OutboundRequest {
  id: string;
  /** UNIX seconds. */
  timestamp: number;
  body: Buffer | string;
}

export type AuthHeaders = Record<string, string>;

const BEARER_PREFIX = /^bearer /i;

/** The authentication headers of a webhook request, per connection and its credentials. */
export class OutboundAuth {
  private readonly tokens: OAuthTokenProvider;
  private readonly now: () => number;

  constructor(options: OutboundAuthOptions) {
    this.tokens = options.tokens;
    this.now = options.now ?? Date.now;
  }

  /**
   * `authorization` for Basic, Bearer and OAuth 2.0, `webhook-signature` for Signed Payload,
   * nothing for none. Only OAuth 2.0 may wait (for a token request). Rejects with
   * `OAuthTokenError` when no token can be had, or a `TypeError` for malformed credentials.
   */
  headersFor(connectionId: string, credentials: Credentials, request: OutboundRequest): Promise<AuthHeaders> {
    if (credentials.type === 'oauth2') {
      return this.tokens
        .token(connectionId, credentials)
        .then((token) => ({ authorization: bearerAuthorization(token) }));
    }
    try {
      return Promise.resolve(this.immediateHeaders(credentials, request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Call after a 401 or 403 answer to a request sent with `headers`: an OAuth 2.0 token is
   * dropped (once, however many requests it failed) so the next attempt fetches a new one.
   */
  rejected(connectionId: string, credentials: Credentials, headers: AuthHeaders): void {
    if (credentials.type !== 'oauth2') {
      return;
    }
    const authorization = headers['authorization'];
    if (authorization !== undefined && BEARER_PREFIX.test(authorization)) {
      this.tokens.invalidate(connectionId, authorization.slice('bearer '.length));
    }
  }

  private immediateHeaders(
    credentials: Exclude<Credentials, { type: 'oauth2' }>,
    request: OutboundRequest,
  ): AuthHeaders {
    switch (credentials.type) {
      case 'none':
        return {};
      case 'basic':
        return { authorization: basicAuthorization(credentials.username, credentials.password) };
      case 'bearer':
        return { authorization: bearerAuthorization(credentials.token) };
      case 'signed':
        return {
          'webhook-signature': signWebhook({
            secrets: activeSigningSecrets(credentials, this.now()),
            id: request.id,
            timestamp: request.timestamp,
            body: request.body,
          }),
        };
    }
  }
}
