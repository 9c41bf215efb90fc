import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import type { AddressResolver } from './address-resolver';
import { DeliveryAttempt } from './delivery-attempt';
import { createEgressDispatcher } from './egress-dispatcher';
import type { EndpointPolicy } from './endpoint-policy';
import { RequestTargetCache } from './request-target';
import type { SendResult, WebhookRequest } from './send-result';

export interface WebhookSenderOptions {
  /** `<product name>/<version>`, sent on every request. */
  userAgent: string;
  /** Deadline for the whole attempt: queueing, connect, TLS, request and response. Default 5000. */
  timeoutMs?: number;
  /**
   * Under `public-https` (default), https only and every address dialled checked; the scheme is
   * checked again here at send time, not only by `checkEndpointUrl` at save time.
   */
  policy?: EndpointPolicy;
  /** Response bytes kept; the rest is never read. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Source address to bind, for a static egress address. */
  localAddress?: string;
  /** HTTP(S) forward proxy for a static egress address; exclusive with `localAddress`. */
  proxyUrl?: string;
  /** Open connections per origin; unbounded by default (callers bound in-flight per connection). */
  connectionsPerOrigin?: number;
  /** Name resolution, `systemResolver` by default. */
  resolve?: AddressResolver;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

const FIXED_HEADERS = new Set(['content-type', 'user-agent']);

export class WebhookSender {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly userAgent: string;
  private readonly targets: RequestTargetCache;

  constructor(options: WebhookSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.userAgent = options.userAgent;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new Error(`timeoutMs must be a positive integer, got ${this.timeoutMs}`);
    }
    if (!Number.isInteger(this.maxResponseBytes) || this.maxResponseBytes < 0) {
      throw new Error(`maxResponseBytes must be a non-negative integer, got ${this.maxResponseBytes}`);
    }
    if (options.localAddress !== undefined && isIP(options.localAddress) === 0) {
      throw new Error(`localAddress must be an IP address, got ${JSON.stringify(options.localAddress)}`);
    }
    const policy = options.policy ?? 'public-https';
    this.targets = new RequestTargetCache(policy);
    this.dispatcher = createEgressDispatcher({
      policy,
      timeoutMs: this.timeoutMs,
      connectionsPerOrigin: options.connectionsPerOrigin,
      localAddress: options.localAddress,
      proxyUrl: options.proxyUrl,
      resolve: options.resolve,
    });
  }

  /** POSTs the body and reports what happened; never rejects. */
  send(request: WebhookRequest): Promise<SendResult> {
    const startedAt = performance.now();
    return new Promise((settle) => {
      const target = this.targets.get(request.url);
      if (target === undefined) {
        settle({
          kind: 'error',
          error: 'other',
          message: 'invalid URL',
          durationMs: performance.now() - startedAt,
        });
        return;
      }
      if (target.refusal !== undefined) {
        // Reported like a forbidden address: not retried, and nothing is resolved or dialled.
        settle({
          kind: 'error',
          error: 'forbidden_address',
          message: target.refusal,
          durationMs: performance.now() - startedAt,
        });
        return;
      }
      const attempt = new DeliveryAttempt(settle, startedAt, this.timeoutMs, this.maxResponseBytes);
      try {
        this.dispatcher.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: 'POST',
            headers: this.headersFor(request.headers),
            body: request.body,
          },
          attempt,
        );
      } catch (error) {
        attempt.onResponseError(undefined, error as Error);
      }
    });
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private headersFor(callerHeaders: Record<string, string>): string[] {
    const headers = ['content-type', 'application/json', 'user-agent', this.userAgent];
    for (const name in callerHeaders) {
      if (!FIXED_HEADERS.has(name.toLowerCase())) {
        headers.push(name, callerHeaders[name]);
      }
    }
    return headers;
  }
}
