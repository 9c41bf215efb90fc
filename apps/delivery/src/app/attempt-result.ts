import type { SendResult } from '@campaign-webhooks/http-delivery';
import { parseRetryAfter } from './retry-schedule';

export type AttemptVerdict =
  | { kind: 'delivered' }
  /** Worth trying again later: transport errors (timeouts, connection, TLS), 3xx, 408, 429, 5xx. */
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  /** The endpoint refused our credentials (401/403). */
  | { kind: 'auth_rejected'; error: string }
  /** Trying again would not help: other 4xx, and addresses the endpoint policy refuses. */
  | { kind: 'fail'; error: string };

/** What one attempt's result means for the delivery (CONTRACT.md §3, outcome of an attempt). */
export function judgeAttempt(result: SendResult): AttemptVerdict {
  if (result.kind === 'error') {
    // An expired certificate or a garbled answer is as likely to be fixed by the next attempt as a
    // refused connection; only an address the policy refuses stays refused.
    const error = `${result.error}: ${result.message}`;
    return result.error === 'forbidden_address' ? { kind: 'fail', error } : { kind: 'retry', error };
  }
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = `http_${status}`;
  // Redirects are not followed; one is as often a moved or misconfigured endpoint that comes back.
  if (status < 400 || status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', error, retryAfterMs: parseRetryAfter(result.headers['retry-after']) };
  }
  if (status === 401 || status === 403) return { kind: 'auth_rejected', error };
  return { kind: 'fail', error };
}
