/**
 * PostgreSQL's data exceptions (class 22: a value out of range, a malformed time, a NUL in text)
 * and integrity violations (class 23): the row will never be written, however often it is tried.
 */
export function refusedAsData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** PostgreSQL stores no NUL character (U+0000) in text: a record carrying one is refused as data. */
export const NUL_REFUSED = 'a NUL character, which PostgreSQL cannot store';

/** Whether a decoded JSON value holds a NUL in any string or key. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([name, inner]) => name.includes('\0') || containsNul(inner));
  }
  return false;
}
