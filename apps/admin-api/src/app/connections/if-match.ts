/** A version, bare or quoted as an entity tag, or `*`; blank is the same as absent. */
export const IF_MATCH_PATTERN = /^\s*(?:(\d{1,9})|"(\d{1,9})"|\*)?\s*$/;

export type IfMatchParse = { ok: true; version: number | undefined } | { ok: false; message: string };

/**
 * The `If-Match` request header as a connection version: `3` or the entity-tag form `"3"`. Absent or
 * `*` means no condition (the last writer wins).
 */
export function parseIfMatch(header: string | string[] | undefined): IfMatchParse {
  const value = Array.isArray(header) ? header.join(',') : header;
  const match = value === undefined ? undefined : IF_MATCH_PATTERN.exec(value);
  if (value === undefined || (match && match[1] === undefined && match[2] === undefined))
    return { ok: true, version: undefined };
  if (!match) {
    return {
      ok: false,
      message: `If-Match must be a connection version, such as 3 or "3" (got ${JSON.stringify(value)})`,
    };
  }
  return { ok: true, version: Number(match[1] ?? match[2]) };
}
