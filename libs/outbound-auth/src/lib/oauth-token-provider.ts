import {
  createEgressDispatcher,
  type AddressResolver,
  type EndpointPolicy,
} from '@campaign-webhooks/http-delivery';
import type { Dispatcher } from 'undici';
import { OAuthTokenError } from './oauth-token-error';
import {
  requestClientCredentialsToken,
  type TokenExchangeOptions,
  type TokenRequestConfig,
} from './oauth-token-request';

export interface OAuthTokenProviderOptions {
  /**
   * Carries the token requests; it must be SSRF-guarded, since token URLs are customer input.
   * Default: `createEgressDispatcher({ policy, timeoutMs, resolve })`. Pass one built with
   * `proxyUrl` or `localAddress` to send token requests through the static egress.
   */
  dispatcher?: Dispatcher;
  /** Token URLs are checked with `checkEndpointUrl` under it too. Default `public-https`. */
  policy?: EndpointPolicy;
  /** Deadline of one token request. Default 5000. */
  timeoutMs?: number;
  /** A token is renewed this long before it expires (at most half its lifetime early). Default 30 s. */
  refreshMarginMs?: number;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Called once per token request made, for metrics. */
  onFetch?: (outcome: 'ok' | 'error') => void;
  /** Name resolution of the default dispatcher, `systemResolver` by default. */
  resolve?: AddressResolver;
}

export const DEFAULT_TOKEN_TIMEOUT_MS = 5000;
export const DEFAULT_REFRESH_MARGIN_MS = 30_000;
/** When the server omits `expires_in` (RFC 6749 makes it optional). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;
export const FAILURE_BACKOFF_MS = 1000;

const FIRST_PRUNE_AT = 1024;

interface CachedToken {
  value: string;
  refreshAt: number;
  expiresAt: number;
}

interface FailedFetch {
  error: OAuthTokenError;
  retryAt: number;
}

interface TokenEntry {
  config: TokenRequestConfig;
  token?: CachedToken;
  inFlight?: Promise<string>;
  failure?: FailedFetch;
}

/**
 * OAuth 2.0 client-credentials tokens, cached per key (a connection id) until shortly before they
 * expire. Concurrent callers share one request; a changed token URL, client, secret, scope or
 * audience gets a new token; after a failure the same error is returned for a second. A failed
 * renewal falls back on the cached token until it expires, unless it was invalidated.
 */
export class OAuthTokenProvider {
  private readonly entries = new Map<string, TokenEntry>();
  private readonly exchange: TokenExchangeOptions;
  private readonly ownsDispatcher: boolean;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  private readonly onFetch: ((outcome: 'ok' | 'error') => void) | undefined;
  private pruneAt = FIRST_PRUNE_AT;

  constructor(options: OAuthTokenProviderOptions = {}) {
    const policy = options.policy ?? 'public-https';
    const timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new Error(`timeoutMs must be a positive integer, got ${timeoutMs}`);
    }
    this.ownsDispatcher = options.dispatcher === undefined;
    this.exchange = {
      policy,
      timeoutMs,
      dispatcher:
        options.dispatcher ?? createEgressDispatcher({ policy, timeoutMs, resolve: options.resolve }),
    };
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.now = options.now ?? Date.now;
    this.onFetch = options.onFetch;
  }

  /** A bearer token for `key`; rejects with `OAuthTokenError`. */
  token(key: string, config: TokenRequestConfig): Promise<string> {
    const entry = this.entryFor(key, config);
    if (entry.token !== undefined && this.now() < entry.token.refreshAt) {
      return Promise.resolve(entry.token.value);
    }
    const renewal = this.renewalOf(entry);
    if (this.unexpiredToken(entry) === undefined) {
      return renewal;
    }
    // Renewal starts before expiry so that a short identity-provider outage costs nothing.
    return renewal.catch((error: OAuthTokenError) => {
      const unexpired = this.unexpiredToken(entry);
      if (unexpired === undefined) {
        throw error;
      }
      return unexpired;
    });
  }

  /**
   * Forgets `rejectedToken` if it is still the cached token for `key`, so the next call fetches a
   * new one. Many requests failing with the same token cause one refresh, not one each.
   */
  invalidate(key: string, rejectedToken: string): void {
    const entry = this.entries.get(key);
    if (entry?.token?.value === rejectedToken) {
      entry.token = undefined;
    }
  }

  /** Closes the default dispatcher; a dispatcher passed in is left to its owner. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) {
      await this.exchange.dispatcher.close();
    }
  }

  private entryFor(key: string, config: TokenRequestConfig): TokenEntry {
    const entry = this.entries.get(key);
    if (entry !== undefined && sameTokenRequest(entry.config, config)) {
      return entry;
    }
    const fresh: TokenEntry = { config: snapshotOf(config) };
    this.entries.set(key, fresh);
    return fresh;
  }

  /** The request under way, the recent failure while backing off, or a new request. */
  private renewalOf(entry: TokenEntry): Promise<string> {
    if (entry.inFlight !== undefined) {
      return entry.inFlight;
    }
    if (entry.failure !== undefined && this.now() < entry.failure.retryAt) {
      return Promise.reject(entry.failure.error);
    }
    return this.fetchInto(entry);
  }

  /** The cached token while it has not expired; `invalidate` has removed any rejected one. */
  private unexpiredToken(entry: TokenEntry): string | undefined {
    return entry.token !== undefined && this.now() < entry.token.expiresAt ? entry.token.value : undefined;
  }

  private fetchInto(entry: TokenEntry): Promise<string> {
    const requestedAt = this.now();
    const fetching = requestClientCredentialsToken(entry.config, this.exchange).then(
      (issued) => {
        const lifetimeMs = (issued.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
        entry.token = {
          value: issued.accessToken,
          refreshAt: requestedAt + Math.max(lifetimeMs - this.refreshMarginMs, lifetimeMs / 2),
          expiresAt: requestedAt + lifetimeMs,
        };
        entry.failure = undefined;
        entry.inFlight = undefined;
        this.pruneIfLarge();
        this.onFetch?.('ok');
        return issued.accessToken;
      },
      (error: OAuthTokenError) => {
        entry.failure = { error, retryAt: this.now() + FAILURE_BACKOFF_MS };
        entry.inFlight = undefined;
        this.pruneIfLarge();
        this.onFetch?.('error');
        throw error;
      },
    );
    entry.inFlight = fetching;
    return fetching;
  }

  /** Connections come and go; drop entries holding nothing still useful. */
  private pruneIfLarge(): void {
    if (this.entries.size < this.pruneAt) {
      return;
    }
    const now = this.now();
    for (const [key, entry] of this.entries) {
      const idle =
        entry.inFlight === undefined &&
        (entry.token === undefined || entry.token.expiresAt <= now) &&
        (entry.failure === undefined || entry.failure.retryAt <= now);
      if (idle) {
        this.entries.delete(key);
      }
    }
    this.pruneAt = Math.max(FIRST_PRUNE_AT, this.entries.size * 2);
  }
}

function sameTokenRequest(a: TokenRequestConfig, b: TokenRequestConfig): boolean {
  return (
    a.tokenUrl === b.tokenUrl &&
    a.clientId === b.clientId &&
    a.clientSecret === b.clientSecret &&
    a.scope === b.scope &&
    a.audience === b.audience
  );
}

function snapshotOf({
  tokenUrl,
  clientId,
  clientSecret,
  scope,
  audience,
}: TokenRequestConfig): TokenRequestConfig {
  return { tokenUrl, clientId, clientSecret, scope, audience };
}
