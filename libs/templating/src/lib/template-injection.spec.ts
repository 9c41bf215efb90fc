import fc from 'fast-check';
import { interpolationText } from './json-text';
import { CompiledTemplate, parseTemplate } from './template';
import { TemplateContext } from './template-context';

const template = {
  event: '{{event}}',
  typed: { email: '{{email}}', user: '{{ user_id }}', data: '{{profile.data}}' },
  text: 'Hello "{{email}}" {{user_id}} {{profile.data}} \\ {{campaign_id}}',
  list: ['{{email}}', 'x{{user_id}}y', 1, null],
  '{{email}}': 'a key stays literal',
};

function compile(): CompiledTemplate {
  const result = parseTemplate('message_click', JSON.stringify(template));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.template;
}

const compiled = compile();

function contextWith(email: unknown, userId: unknown, data: unknown): TemplateContext {
  return {
    event: 'message_click',
    time: 1764201600,
    project_id: 'p',
    connection_name: 'c',
    properties: { email, user_id: userId, campaign_id: 'camp' },
    profile: { data },
  };
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const hostilePiece = fc.constantFrom(
  '{{email}}',
  '{{ user_id }}',
  '"',
  '\\',
  '"}',
  '{"x":1}',
  '\u2028',
  '\u0000',
  '}}',
);
const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.oneof(hostilePiece, loneSurrogate, fc.string({ unit: 'binary', maxLength: 1 })) }),
  fc.nat({ max: 200_000 }).map((length) => '"{{email}}'.repeat(length / 10) + '\ud800'),
);
const jsonData = fc.oneof(hostileString, fc.jsonValue());
const anyData = fc.oneof(
  jsonData,
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    stringUnit: 'binary',
  }),
);

function jsonNormalized(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('rendering arbitrary data', () => {
  it('always yields valid JSON with exactly the template keys', () => {
    fc.assert(
      fc.property(anyData, anyData, anyData, (email, userId, data) => {
        const rendered = JSON.parse(compiled.render(contextWith(email, userId, data)));

        expect(Object.keys(rendered)).toEqual(Object.keys(template));
        expect(Object.keys(rendered.typed)).toEqual(Object.keys(template.typed));
        expect(rendered.list).toHaveLength(template.list.length);
        expect(rendered.list.slice(2)).toEqual([1, null]);
        expect(typeof rendered.text).toBe('string');
        expect(rendered['{{email}}']).toBe('a key stays literal');
      }),
      { numRuns: 500 },
    );
  });

  it('gives back JSON data unchanged through a whole-string placeholder', () => {
    fc.assert(
      fc.property(jsonData, jsonData, jsonData, (email, userId, data) => {
        const rendered = JSON.parse(compiled.render(contextWith(email, userId, data)));

        expect(rendered.typed).toEqual({
          email: jsonNormalized(email),
          user: jsonNormalized(userId),
          data: jsonNormalized(data),
        });
        expect(rendered.list[0]).toEqual(jsonNormalized(email));
      }),
      { numRuns: 300 },
    );
  });

  it('interpolates data as literal text, never expanding placeholders inside it', () => {
    fc.assert(
      fc.property(hostileString, hostileString, anyData, (email, userId, data) => {
        const rendered = JSON.parse(compiled.render(contextWith(email, userId, data)));

        expect(rendered.text).toBe(`Hello "${email}" ${userId} ${interpolationText(data)} \\ camp`);
        expect(rendered.list[1]).toBe(`x${userId}y`);
      }),
      { numRuns: 300 },
    );
  });
});
