import type { ConsumedRecord } from '@campaign-webhooks/kafka';
import { containsNul, NUL_REFUSED } from '@campaign-webhooks/persistence';
import { z } from 'zod';

/**
 * An ISO 8601 time with its offset, on the calendar (not 30 February), in a year PostgreSQL reads
 * as JavaScript does (not 0000). `Date.parse` alone takes "1" for a day in 2001.
 */
const isoTime = z.iso.datetime({ offset: true });
const isIsoTime = (text: string) => isoTime.safeParse(text).success && !text.startsWith('0000');

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
