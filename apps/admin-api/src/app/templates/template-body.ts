import { emptyNameError, type FieldError } from '../field-errors';

export type TemplateBody = { ok: true; source: unknown } | { ok: false; errors: FieldError[] };

/**
 * The template of a PUT body `{"template": …}`, exactly as parsed. This body does not go through the
 * global validation pipe, which deletes `__proto__` and `constructor` keys: in a template they are
 * plain JSON keys the customer wants sent, and the templating library never reads them as members.
 */
export function templateFromBody(body: unknown): TemplateBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return {
      ok: false,
      errors: [{ field: 'template', message: 'template should not be null or undefined' }],
    };
  }
  const errors: FieldError[] = Object.keys(body)
    .filter((key) => key !== 'template')
    .map((key) =>
      key === '' ? emptyNameError() : { field: key, message: `property ${key} should not exist` },
    );
  const source = (body as { template?: unknown }).template;
  if (source === undefined || source === null) {
    errors.unshift({ field: 'template', message: 'template should not be null or undefined' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, source };
}
