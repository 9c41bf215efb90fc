/** A version, bare or quoted as an entity tag, or `*`; blank is the same as absent. */
export const IF_MATCH_PATTERN = /^\s*(?:(\d{1,9})|"(\d{1,9})"|\*)?\s*$/;

export type IfMatchParse = { ok: true; version: number | undefined } | { ok: false; message: string };

/**
 * The `If-Match` request header as a connection version: `3` or the entity-tag form `"3"`. Absent or
 * `*` means no condition (the last writer wins).
 */
export function parseIfMatch(header: string | string[] | undefined): IfMatchParse {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined) return { ok: true, version: undefined };
  const match = IF_MATCH_PATTERN.exec(value);
  if (!match) {
    return {
      ok: false,
      message: `If-Match must be a connection version, such as 3 or "3" (got ${JSON.stringify(value)})`,
    };
  }
  const digits = match[1] ?? match[2];
  return { ok: true, version: digits === undefined ? undefined : Number(digits) };
}
