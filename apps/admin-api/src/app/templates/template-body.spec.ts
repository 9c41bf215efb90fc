import { templateFromBody } from './template-body';

describe('templateFromBody', () => {
  it('keeps the template exactly as parsed, __proto__ and constructor keys included', () => {
    const body = JSON.parse('{"template": {"__proto__": {"x": "{{email}}"}, "constructor": "{{event}}"}}');

    const result = templateFromBody(body);

    expect(result.ok).toBe(true);
    const source = result.ok ? (result.source as object) : {};
    expect(Object.keys(source)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(source)).toBe('{"__proto__":{"x":"{{email}}"},"constructor":"{{event}}"}');
  });

  it('passes JSON text on as text', () => {
    expect(templateFromBody({ template: '{"a": 1}' })).toEqual({ ok: true, source: '{"a": 1}' });
  });

  it.each([undefined, null, [], { template: null }, {}])('refuses %p for want of a template', (body) => {
    expect(templateFromBody(body)).toEqual({
      ok: false,
      errors: [{ field: 'template', message: 'template should not be null or undefined' }],
    });
  });

  it('names every field other than template', () => {
    expect(templateFromBody({ template: { a: 1 }, isDefault: false, event: 'x' })).toEqual({
      ok: false,
      errors: [
        { field: 'isDefault', message: 'property isDefault should not exist' },
        { field: 'event', message: 'property event should not exist' },
      ],
    });
  });
});
