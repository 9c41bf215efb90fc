import { CompiledTemplate, parseTemplate } from './template';
import { MAX_TEMPLATE_DEPTH } from './template-compiler';
import { TemplateContext } from './template-context';
import { TemplateError } from './template-error';

const context: TemplateContext = {
  event: 'message_send',
  time: 1764201600,
  project_id: 'proj-1',
  connection_name: 'CRM sync',
  properties: { message_type: 'email', campaign_id: '12345', email: 'jane@example.com', device_id: null },
  profile: {
    first_name: 'Jane',
    age: 41,
    vip: true,
    tags: ['a', 'b'],
    address: { city: 'Oslo' },
    'a.b': 'flat',
  },
};

function compile(source: unknown, event = 'message_send'): CompiledTemplate {
  const result = parseTemplate(event, source);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.template;
}

function errorsOf(source: unknown, event = 'message_send'): readonly TemplateError[] {
  const result = parseTemplate(event, source);
  if (result.ok) throw new Error('expected the template to be refused');
  return result.errors;
}

function renderValue(source: unknown, renderContext: TemplateContext = context): unknown {
  return JSON.parse(compile(source).render(renderContext));
}

describe('parseTemplate', () => {
  describe('refusals', () => {
    it('gives the line and column of a JSON syntax error', () => {
      const [error] = errorsOf('{\n  "email": "{{email}}",\n  "id" "{{user_id}}"\n}');

      expect(error).toEqual({
        code: 'invalid_json',
        line: 3,
        column: 8,
        message:
          "Invalid JSON at line 3, column 8: Unexpected character '\"': expected ':' after the property name",
      });
    });

    it('names an unknown placeholder and where it is', () => {
      const errors = errorsOf({ data: { contact: 'mail: {{ emial }}' } });

      expect(errors).toEqual([
        {
          code: 'unknown_placeholder',
          placeholder: 'emial',
          path: '$.data.contact',
          message: expect.stringMatching(
            /^Unknown placeholder \{\{emial\}\}; available: event, time, .*\(at \$\.data\.contact\)$/,
          ),
        },
      ]);
    });

    it('reports every unknown placeholder, in arrays and odd keys too', () => {
      const errors = errorsOf('{"list": ["{{nope}}", {"a key": "{{channel}} {{profile.bad name}}"}]}');

      expect(
        errors.map((error) => (error.code === 'unknown_placeholder' ? [error.placeholder, error.path] : [])),
      ).toEqual([
        ['nope', '$.list[0]'],
        ['channel', '$.list[1]["a key"]'],
        ['profile.bad name', '$.list[1]["a key"]'],
      ]);
    });

    it('names each unknown placeholder once, where it first is', () => {
      const errors = errorsOf({ a: '{{x}}'.repeat(1_000), b: ['{{y}}', '{{x}}'] });

      expect(
        errors.map((error) => (error.code === 'unknown_placeholder' ? [error.placeholder, error.path] : [])),
      ).toEqual([
        ['x', '$.a'],
        ['y', '$.b[0]'],
      ]);
    });

    it('reads a long run of whitespace after an unclosed {{ in linear time', () => {
      // A pattern that backtracked took about 20 s for 4,000 spaces, and grew with their cube.
      const startedAt = performance.now();
      const unclosed = parseTemplate('message_send', {
        a: `{{${' '.repeat(200_000)}`,
        b: `{{${'\n'.repeat(200_000)}x`,
      });
      expect(performance.now() - startedAt).toBeLessThan(1_000);
      expect(unclosed.ok).toBe(true);
      expect(parseTemplate('message_send', { a: '{{  email\n }}' }).ok).toBe(true);
    });

    it('knows which properties belong to the event family', () => {
      expect(errorsOf({ c: '{{channel}}' }, 'message_send')[0]).toMatchObject({ placeholder: 'channel' });
      expect(compile({ c: '{{channel}}' }, 'message_opt_out').usesProfile).toBe(false);
      expect(errorsOf({ c: '{{campaign_id}}' }, 'message_opt_out')[0]).toMatchObject({
        placeholder: 'campaign_id',
      });
    });

    it('refuses an unknown event', () => {
      expect(errorsOf({}, 'message_exploded')).toEqual([
        { code: 'unknown_event', event: 'message_exploded', message: "Unknown event 'message_exploded'" },
      ]);
    });

    it('refuses values JSON cannot hold when given a value rather than text', () => {
      const errors = errorsOf({ a: undefined, b: [Number.NaN], c: new Date(0), d: () => 1 });

      expect(errors.map((error) => (error.code === 'invalid_value' ? error.path : error.code))).toEqual([
        '$.a',
        '$.b[0]',
        '$.c',
        '$.d',
      ]);
    });

    it('refuses a template nested too deeply', () => {
      const deep = '['.repeat(MAX_TEMPLATE_DEPTH + 1) + ']'.repeat(MAX_TEMPLATE_DEPTH + 1);

      expect(errorsOf(deep)[0]).toMatchObject({
        code: 'invalid_value',
        message: expect.stringContaining('deeper'),
      });
      expect(compile('['.repeat(MAX_TEMPLATE_DEPTH) + ']'.repeat(MAX_TEMPLATE_DEPTH)).render(context)).toBe(
        '['.repeat(MAX_TEMPLATE_DEPTH) + ']'.repeat(MAX_TEMPLATE_DEPTH),
      );
    });

    it('refuses a cyclic value', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;

      expect(errorsOf(cyclic)[0]).toMatchObject({ code: 'invalid_value' });
    });
  });

  describe('rendering', () => {
    it('gives a whole-string placeholder the type of its value', () => {
      const template = { t: '{{time}}', e: '{{ event }}', m: '{{message_type}}', tags: '{{profile.tags}}' };

      expect(renderValue(template)).toEqual({
        t: 1764201600,
        e: 'message_send',
        m: 'email',
        tags: ['a', 'b'],
      });
      expect(
        renderValue({ age: '{{profile.age}}', vip: '{{profile.vip}}', address: '{{profile.address}}' }),
      ).toEqual({
        age: 41,
        vip: true,
        address: { city: 'Oslo' },
      });
    });

    it('interpolates placeholders inside a longer string as text', () => {
      const template = {
        text: 'At {{time}}, {{profile.first_name}} <{{email}}> {{profile.address}} {{profile.tags}}',
      };

      expect(renderValue(template)).toEqual({
        text: 'At 1764201600, Jane <jane@example.com> {"city":"Oslo"} ["a","b"]',
      });
    });

    it('renders a placeholder without data as null, and as the text null inside a string', () => {
      const template = {
        id: '{{device_id}}',
        trigger: '{{trigger_id}}',
        zip: '{{profile.zip}}',
        text: 'x{{user_id}}',
      };

      expect(renderValue(template)).toEqual({ id: null, trigger: null, zip: null, text: 'xnull' });
      expect(renderValue({ name: '{{profile.first_name}}' }, { ...context, profile: null })).toEqual({
        name: null,
      });
      expect(renderValue({ name: '{{profile.first_name}}' }, { ...context, profile: undefined })).toEqual({
        name: null,
      });
    });

    it('renders the envelope placeholders', () => {
      expect(renderValue(['{{project_id}}', '{{connection_name}}', '{{event}}'])).toEqual([
        'proj-1',
        'CRM sync',
        'message_send',
      ]);
    });

    it('reads a dotted profile attribute as a flat key first, then as a nested path', () => {
      expect(renderValue({ flat: '{{profile.a.b}}', nested: '{{profile.address.city}}' })).toEqual({
        flat: 'flat',
        nested: 'Oslo',
      });
    });

    it('never reads inherited members of the profile or properties', () => {
      const template = {
        a: '{{profile.constructor}}',
        b: '{{profile.address.toString}}',
        c: '{{profile.__proto__}}',
      };

      expect(renderValue(template)).toEqual({ a: null, b: null, c: null });
    });

    it('keeps keys, numbers, booleans and null of the template as written, compactly', () => {
      const text = '{ "{{email}}" : [1, 2.5e3, true, false, null, "plain"], "nested": {"x": {}} }';

      expect(compile(text).render(context)).toBe(
        '{"{{email}}":[1,2500,true,false,null,"plain"],"nested":{"x":{}}}',
      );
    });

    it('accepts a top-level value that is not an object', () => {
      expect(compile('"{{email}}"').render(context)).toBe('"jane@example.com"');
      expect(compile(['{{time}}']).render(context)).toBe('[1764201600]');
      expect(compile('42').render(context)).toBe('42');
    });

    it('lists the profile attributes used, once each, so the caller can skip the lookup', () => {
      const withProfile = compile({
        a: '{{profile.first_name}} {{profile.age}}',
        b: ['{{ profile.first_name }}'],
      });
      const withoutProfile = compile({ a: '{{email}}' });

      expect(withProfile.usesProfile).toBe(true);
      expect(withProfile.profileAttributes).toEqual(['first_name', 'age']);
      expect(withoutProfile.usesProfile).toBe(false);
      expect(withoutProfile.profileAttributes).toEqual([]);
    });

    it('does not expand placeholders found in the data', () => {
      const properties = { ...context.properties, email: '{{user_id}}"}, "x": "{{time}}', user_id: 'secret' };

      expect(renderValue({ e: '{{email}}', text: 'to {{email}}' }, { ...context, properties })).toEqual({
        e: '{{user_id}}"}, "x": "{{time}}',
        text: 'to {{user_id}}"}, "x": "{{time}}',
      });
    });
  });
});
