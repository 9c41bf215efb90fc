import type { ConsumedRecord } from '@campaign-webhooks/kafka';
import { containsNul, NUL_REFUSED } from '@campaign-webhooks/persistence';
import type { z } from 'zod';

/**
 * An ISO 8601 time with its offset, in the years PostgreSQL's `timestamptz` and JavaScript's `Date`
 * both read the same way. `Date.parse` alone takes "1" for a day in 2001, and a year before 1
 * becomes a BC date the database refuses.
 */
const ISO_TIME = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A record's value checked against its contract schema, and its timestamp fields (ISO 8601
 * strings, or null) checked to be dates: the reason it is poison otherwise. A record the database
 * would refuse (a NUL in a string) is poison too, before anything acts on it.
 */
export function decodeRecord<T extends object>(
  record: ConsumedRecord,
  schema: z.ZodType<T>,
  timestamps: readonly (keyof T & string)[],
): { value: T } | { poison: string } {
  let json: unknown;
  try {
    json = JSON.parse(record.value?.toString('utf8') ?? 'null');
  } catch (error) {
    return { poison: `invalid_json: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { poison: `invalid_record: ${issue.path.join('.') || '(record)'}: ${issue.message}` };
  }
  for (const field of timestamps) {
    const value = parsed.data[field];
    if (value === null) continue;
    if (!isIsoTime(String(value))) {
      return { poison: `invalid_record: ${field} is not an ISO 8601 time` };
    }
  }
  if (containsNul(parsed.data)) return { poison: `invalid_record: ${NUL_REFUSED}` };
  return { value: parsed.data };
}

/** ISO_TIME, and a day the calendar has: `Date.parse` takes 30 February for 1 March. */
function isIsoTime(text: string): boolean {
  if (!ISO_TIME.test(text) || Number.isNaN(Date.parse(text))) return false;
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
