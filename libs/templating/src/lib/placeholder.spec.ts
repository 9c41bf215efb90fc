import { resolvePlaceholder, splitPlaceholders } from './placeholder';

const available = new Set(['event', 'time', 'project_id', 'connection_name', 'email', 'user_id']);

describe('splitPlaceholders', () => {
  it('keeps a string without placeholders as one text segment', () => {
    expect(splitPlaceholders('plain {not} {{ open')).toEqual([{ text: 'plain {not} {{ open' }]);
    expect(splitPlaceholders('')).toEqual([{ text: '' }]);
  });

  it('finds placeholders with or without spaces inside the braces', () => {
    expect(splitPlaceholders('{{email}}')).toEqual([{ placeholder: 'email' }]);
    expect(splitPlaceholders('{{ email }}')).toEqual([{ placeholder: 'email' }]);
    expect(splitPlaceholders('Hi {{ profile.first_name }}, {{email}}!')).toEqual([
      { text: 'Hi ' },
      { placeholder: 'profile.first_name' },
      { text: ', ' },
      { placeholder: 'email' },
      { text: '!' },
    ]);
  });

  it('reads the innermost braces of extra braces as the placeholder', () => {
    expect(splitPlaceholders('{{{email}}}')).toEqual([
      { text: '{' },
      { placeholder: 'email' },
      { text: '}' },
    ]);
  });

  it('reports an empty placeholder by its empty name', () => {
    expect(splitPlaceholders('{{ }}')).toEqual([{ placeholder: '' }]);
  });
});

describe('resolvePlaceholder', () => {
  it('resolves envelope names, properties and profile attributes', () => {
    expect(resolvePlaceholder('time', available)).toEqual({
      ok: true,
      source: { kind: 'envelope', name: 'time' },
    });
    expect(resolvePlaceholder('email', available)).toEqual({
      ok: true,
      source: { kind: 'property', name: 'email' },
    });
    expect(resolvePlaceholder('profile.address.zip-code', available)).toEqual({
      ok: true,
      source: { kind: 'profile', attribute: 'address.zip-code' },
    });
  });

  it.each(['emial', 'Email', 'channel', 'profile', '', 'constructor', '__proto__'])('refuses %p', (name) => {
    expect(resolvePlaceholder(name, available)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Unknown'),
    });
  });

  it.each(['profile.', 'profile.first name', 'profile..x', 'profile.a.', 'profile.$x'])(
    'refuses the profile attribute %p',
    (name) => {
      expect(resolvePlaceholder(name, available)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('not a valid profile attribute'),
      });
    },
  );
});
