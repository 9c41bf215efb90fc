import { MAX_TEMPLATE_BYTES, templateDocument } from './template-document';

describe('templateDocument', () => {
  it('stores JSON text as the value it stands for', () => {
    expect(templateDocument('message_send', '{\n  "to": "{{email}}",\n  "n": 1\n}')).toEqual({
      ok: true,
      value: { to: '{{email}}', n: 1 },
    });
  });

  it('stores a JSON value as it is', () => {
    const value = { who: { name: '{{profile.first_name}}' }, list: ['{{event}}', 2] };

    expect(templateDocument('message_open', value)).toEqual({ ok: true, value });
  });

  it('gives the line and column of a syntax error in JSON text, under the template field', () => {
    const result = templateDocument('message_send', '{\n  "to": "{{email}}",\n  "id" "{{user_id}}"\n}');

    expect(result).toEqual({
      ok: false,
      errors: [
        {
          field: 'template',
          code: 'invalid_json',
          line: 3,
          column: 8,
          message: expect.stringContaining('line 3, column 8'),
        },
      ],
    });
  });

  it('names an unknown placeholder and where it is', () => {
    const result = templateDocument('message_send', { data: { contact: '{{ emial }}' } });

    expect(result).toEqual({
      ok: false,
      errors: [
        {
          field: 'template',
          code: 'unknown_placeholder',
          placeholder: 'emial',
          path: '$.data.contact',
          message: expect.stringContaining('{{emial}}'),
        },
      ],
    });
  });

  it("checks placeholders against the event's own family", () => {
    const result = templateDocument('message_opt_out', { channel: '{{channel}}', type: '{{message_type}}' });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error['placeholder'])).toEqual(['message_type']);
  });

  it.each([
    ['"{{email}}"', 'a string'],
    ['42', 'a number'],
    ['null', 'null'],
  ])('refuses %s at the top level: a template is a JSON object or array', (text, what) => {
    expect(templateDocument('message_send', text)).toEqual({
      ok: false,
      errors: [
        {
          field: 'template',
          code: 'not_a_document',
          message: `a template must be a JSON object or array, not ${what}`,
        },
      ],
    });
  });

  it('refuses a template larger than the limit', () => {
    const result = templateDocument('message_send', { padding: 'x'.repeat(MAX_TEMPLATE_BYTES) });

    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'template', code: 'too_large', message: expect.stringMatching(/at most 65536 bytes/) },
      ],
    });
  });
});
