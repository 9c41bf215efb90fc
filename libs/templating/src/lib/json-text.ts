/**
 * The JSON text of any value, always valid JSON. What JSON cannot represent (undefined, functions,
 * symbols, non-finite numbers, cycles) becomes `null`, so a rendered body never fails to parse.
 */
export function jsonValueText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quotedString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? 'null' : structuredValueText(value);
    default:
      return 'null';
  }
}

/** A value as it reads inside a longer string: strings as they are, anything else as its JSON text. */
export function interpolationText(value: unknown): string {
  return typeof value === 'string' ? value : jsonValueText(value);
}

/** Most strings need no escaping: quoting them directly skips JSON.stringify's general path. */
// eslint-disable-next-line no-control-regex -- control characters are among what JSON must escape
const needsEscaping = /["\\\u0000-\u001f\ud800-\udfff]/;

function quotedString(value: string): string {
  return needsEscaping.test(value) ? JSON.stringify(value) : '"' + value + '"';
}

function structuredValueText(value: object): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}
