import type { MessageEventName, SubscriptionEventName } from '@campaign-webhooks/contracts';
import { parseTemplate, type TemplateError } from '@campaign-webhooks/templating';
import type { FieldError } from '../field-errors';

/** Per template; every template of a connection travels in its one change-feed record. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

export type TemplateDocument = { ok: true; value: object } | { ok: false; errors: FieldError[] };

/**
 * A template as given to PUT (JSON text, or a JSON value), validated and turned into the JSON value
 * that is stored. It must be an object or an array: a stored string would read back as JSON text.
 */
export function templateDocument(
  event: MessageEventName | SubscriptionEventName,
  source: unknown,
): TemplateDocument {
  const parsed = parseTemplate(event, source);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map(templateFieldError) };
  const value = typeof source === 'string' ? jsonValue(source) : source;
  if (value instanceof InvalidJson) return refuse('invalid_json', `Invalid JSON: ${value.reason}`);
  if (value === null || typeof value !== 'object') {
    return refuse('not_a_document', `a template must be a JSON object or array, not ${describe(value)}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_TEMPLATE_BYTES) {
    return refuse(
      'too_large',
      `a template may be at most ${MAX_TEMPLATE_BYTES} bytes as JSON; this one is ${bytes}`,
    );
  }
  return { ok: true, value };
}

/** The library's error, under the request field it is about, with its line/column or placeholder and path. */
export function templateFieldError(error: TemplateError): FieldError {
  return { field: 'template', ...error };
}

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // parseTemplate accepted the text already; this only guards against the two parsers disagreeing.
    return new InvalidJson((error as Error).message);
  }
}

class InvalidJson {
  constructor(readonly reason: string) {}
}

function refuse(code: string, message: string): TemplateDocument {
  return { ok: false, errors: [{ field: 'template', code, message }] };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
