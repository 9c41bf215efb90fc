import type { SendResult } from '@campaign-webhooks/http-delivery';
import { parseRetryAfter } from './retry-schedule';

export type AttemptVerdict =
  | { kind: 'delivered' }
  /** Worth trying again later: timeouts, connection errors, 408, 429 and 5xx. */
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  /** The endpoint refused our credentials (401/403). */
  | { kind: 'auth_rejected'; error: string }
  /** Trying again would not help: other 4xx, forbidden addresses, malformed requests. */
  | { kind: 'fail'; error: string };

/** What one attempt's result means for the delivery (CONTRACT.md §3, outcome of an attempt). */
export function judgeAttempt(result: SendResult): AttemptVerdict {
  if (result.kind === 'error') {
    if (result.error === 'timeout' || result.error === 'connection') {
      return { kind: 'retry', error: `${result.error}: ${result.message}` };
    }
    return { kind: 'fail', error: `${result.error}: ${result.message}` };
  }
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = `http_${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', error, retryAfterMs: parseRetryAfter(result.headers['retry-after']) };
  }
  if (status === 401 || status === 403) return { kind: 'auth_rejected', error };
  return { kind: 'fail', error };
}
