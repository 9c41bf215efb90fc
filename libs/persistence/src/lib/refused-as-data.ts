/**
 * PostgreSQL's data exceptions (class 22: a value out of range, a malformed time, a NUL in text)
 * and integrity violations (class 23): the row will never be written, however often it is tried.
 */
export function refusedAsData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
