import type { ConsumedRecord } from '@campaign-webhooks/kafka';
import type { z } from 'zod';

/**
 * A record's value checked against its contract schema, and its timestamp fields (ISO 8601
 * strings, or null) checked to be dates: the reason it is poison otherwise.
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
  if (!parsed.success) return { poison: `invalid_record: ${parsed.error.issues[0].path.join('.')}` };
  for (const field of timestamps) {
    const value = parsed.data[field];
    if (value !== null && Number.isNaN(Date.parse(String(value)))) {
      return { poison: `invalid_record: ${field} is not a timestamp` };
    }
  }
  return { value: parsed.data };
}
