import { ENVELOPE_PLACEHOLDERS } from '@campaign-webhooks/contracts';

export const PROFILE_PLACEHOLDER_PREFIX = 'profile.';

export type EnvelopePlaceholder = (typeof ENVELOPE_PLACEHOLDERS)[number];

/** Where a placeholder's value comes from at render time. */
export type PlaceholderSource =
  | { kind: 'envelope'; name: EnvelopePlaceholder }
  | { kind: 'property'; name: string }
  | { kind: 'profile'; attribute: string };

/** A piece of a template string: literal text, or the name inside a `{{ … }}` placeholder. */
export type StringSegment = { text: string } | { placeholder: string };

export type PlaceholderResolution = { ok: true; source: PlaceholderSource } | { ok: false; reason: string };

// The name is trimmed after matching: whitespace matched inside the pattern on both sides of a
// lazy name backtracks in cubic time over a long run of it after an unclosed `{{`.
const placeholderPattern = /\{\{([^{}]*)\}\}/g;
const profileAttributePattern = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const envelopePlaceholders: ReadonlySet<string> = new Set(ENVELOPE_PLACEHOLDERS);

export function placeholderText(name: string): string {
  return '{{' + name + '}}';
}

/** Splits a string into literal text and placeholders; a string without placeholders is one text segment. */
export function splitPlaceholders(value: string): StringSegment[] {
  const segments: StringSegment[] = [];
  let textStart = 0;
  for (const match of value.matchAll(placeholderPattern)) {
    if (match.index > textStart) segments.push({ text: value.slice(textStart, match.index) });
    segments.push({ placeholder: (match[1] ?? '').trim() });
    textStart = match.index + match[0].length;
  }
  if (textStart < value.length || segments.length === 0) segments.push({ text: value.slice(textStart) });
  return segments;
}

/**
 * What a placeholder name refers to, given the event's available names (envelope and properties,
 * as `placeholdersFor` lists them); `profile.<attribute>` is always available.
 */
export function resolvePlaceholder(name: string, available: ReadonlySet<string>): PlaceholderResolution {
  if (name.startsWith(PROFILE_PLACEHOLDER_PREFIX)) return resolveProfileAttribute(name);
  if (!available.has(name)) return { ok: false, reason: unknownNameReason(name, available) };
  if (isEnvelopePlaceholder(name)) return { ok: true, source: { kind: 'envelope', name } };
  return { ok: true, source: { kind: 'property', name } };
}

function resolveProfileAttribute(name: string): PlaceholderResolution {
  const attribute = name.slice(PROFILE_PLACEHOLDER_PREFIX.length);
  if (profileAttributePattern.test(attribute)) return { ok: true, source: { kind: 'profile', attribute } };
  return {
    ok: false,
    reason: `${placeholderText(name)} is not a valid profile attribute: use letters, digits, _ and -, with . between nested names`,
  };
}

function unknownNameReason(name: string, available: ReadonlySet<string>): string {
  const names = [...available, PROFILE_PLACEHOLDER_PREFIX + '<attribute>'].join(', ');
  return `Unknown placeholder ${placeholderText(name)}; available: ${names}`;
}

function isEnvelopePlaceholder(name: string): name is EnvelopePlaceholder {
  return envelopePlaceholders.has(name);
}
