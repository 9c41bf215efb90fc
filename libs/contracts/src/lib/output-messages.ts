import { z } from 'zod';

/** Records operators read (CONTRACT.md §4). Timestamps are ISO 8601 UTC strings. */

export const OUTCOME_STATUSES = ['delivered', 'retrying', 'failed', 'skipped'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

export const outcomeSchema = z.object({
  delivery_id: z.string(),
  connection_id: z.string(),
  project_id: z.string(),
  event: z.string(),
  attempt: z.number().int().nonnegative(),
  status: z.enum(OUTCOME_STATUSES),
  http_status: z.number().int().nullable(),
  duration_ms: z.number().nonnegative().nullable(),
  error: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  time: z.string(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

export const ALERT_KINDS = ['auth_failure', 'circuit_open', 'endpoint_failing', 'recovered'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const alertSchema = z.object({
  connection_id: z.string(),
  project_id: z.string(),
  kind: z.enum(ALERT_KINDS),
  message: z.string(),
  since: z.string().nullable(),
  time: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

export const deadLetterSchema = z.object({
  reason: z.string(),
  source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
  key: z.string().nullable(),
  /** The original value (its first 256 KiB): UTF-8 text when it decodes as such, otherwise base64. */
  original: z.string().nullable(),
  original_encoding: z.enum(['utf8', 'base64']),
  /** The original's whole size; larger than `original` when it was cut. */
  original_bytes: z.number().int().nonnegative(),
  headers: z.record(z.string(), z.string()),
  time: z.string(),
  /** What was cut to keep the dead letter under the broker's limit; absent when nothing was. */
  truncated: z.array(z.enum(['original', 'key', 'headers', 'reason'])).optional(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** The outcome of a delivery kept back before any attempt: `attempt` 0, the reason in `error`. */
export function skippedOutcome(
  delivery: Pick<Outcome, 'delivery_id' | 'connection_id' | 'project_id' | 'event'>,
  reason: string,
  now = new Date(),
): Outcome {
  return {
    ...delivery,
    attempt: 0,
    status: 'skipped',
    http_status: null,
    duration_ms: null,
    error: reason,
    next_attempt_at: null,
    time: now.toISOString(),
  };
}
