import { isMessageEvent, isSubscriptionEvent, placeholdersFor } from '@campaign-webhooks/contracts';
import { parseJsonDocument } from './json-document';
import { renderPlan } from './render-plan';
import { compileTemplateValue } from './template-compiler';
import { TemplateContext } from './template-context';
import { TemplateError } from './template-error';

/** A template checked and compiled once, rendered many times. */
export interface CompiledTemplate {
  /** Whether rendering reads the profile: when false, the caller can skip the profile lookup. */
  readonly usesProfile: boolean;
  /** The profile attributes the template reads, each once, in order of first use. */
  readonly profileAttributes: readonly string[];
  /** The request body as JSON text. */
  render(context: TemplateContext): string;
}

export type TemplateParseResult =
  | { ok: true; template: CompiledTemplate }
  | { ok: false; errors: readonly TemplateError[] };

/**
 * Validates and compiles an event's template. A string source is JSON text (syntax errors give a
 * line and column); any other source is taken as an already parsed JSON value.
 */
export function parseTemplate(event: string, source: unknown): TemplateParseResult {
  if (!isMessageEvent(event) && !isSubscriptionEvent(event)) {
    return { ok: false, errors: [{ code: 'unknown_event', message: `Unknown event '${event}'`, event }] };
  }
  const document =
    typeof source === 'string' ? parseJsonDocument(source) : { ok: true as const, value: source };
  if (!document.ok) {
    const { message, line, column } = document.error;
    const located = `Invalid JSON at line ${line}, column ${column}: ${message}`;
    return { ok: false, errors: [{ code: 'invalid_json', message: located, line, column }] };
  }
  const compilation = compileTemplateValue(document.value, new Set(placeholdersFor(event)));
  if (compilation.errors.length > 0) return { ok: false, errors: compilation.errors };
  const { parts, profileAttributes } = compilation;
  return {
    ok: true,
    template: {
      usesProfile: profileAttributes.length > 0,
      profileAttributes,
      render: (context) => renderPlan(parts, context),
    },
  };
}
