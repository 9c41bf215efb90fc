/**
 * When a failed delivery is tried again. The default follows the Standard Webhooks
 * recommendation: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure (about 28 h in
 * all, 8 attempts), each delay spread by ±20 % so endpoints recovering together are not
 * hit together.
 */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const MAX_RETRY_AFTER_MS = 86_400_000;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseDuration(entry: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)(ms|s|m|h|d)\s*$/.exec(entry);
  if (!match) throw new Error(`"${entry}" is not a duration like 500ms, 5s, 5m, 2h or 1d`);
  return Math.round(Number(match[1]) * units[match[2]]);
}

/** The longest delay a schedule may hold: with its jitter, well within what a timer can wait (24.8 days). */
const MAX_RETRY_DELAY = '7d';
const MAX_RETRY_DELAY_MS = parseDuration(MAX_RETRY_DELAY);

/** Parses `5s,5m,2h` into milliseconds; throws naming the bad entry. */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((entry) => {
    const delayMs = parseDuration(entry);
    if (delayMs > MAX_RETRY_DELAY_MS) throw new Error(`"${entry}" is longer than ${MAX_RETRY_DELAY}`);
    return delayMs;
  });
}

export class RetrySchedule {
  constructor(
    private readonly delaysMs: readonly number[],
    private readonly jitter = 0.2,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts in all, the first included. */
  get maxAttempts(): number {
    return this.delaysMs.length + 1;
  }

  /**
   * The delay before the attempt after `attempt`, or undefined when no attempt is left. A
   * Retry-After longer than the schedule's delay wins, up to a day.
   */
  delayAfter(attempt: number, retryAfterMs?: number): number | undefined {
    const base = this.delaysMs[attempt - 1];
    if (base === undefined) return undefined;
    const spread = base * this.jitter * (this.random() * 2 - 1);
    const scheduled = Math.max(0, Math.round(base + spread));
    if (retryAfterMs === undefined) return scheduled;
    return Math.max(scheduled, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
  }
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
