import fc from 'fast-check';
import { interpolationText, jsonValueText } from './json-text';

describe('jsonValueText', () => {
  it.each([
    ['a "quoted" string', '"a \\"quoted\\" string"'],
    [42.5, '42.5'],
    [-0, '0'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'null'],
    [Number.NaN, 'null'],
    [Number.POSITIVE_INFINITY, 'null'],
    [12345678901234567890n, '12345678901234567890'],
    [{ a: [1, 'x'] }, '{"a":[1,"x"]}'],
    [() => 1, 'null'],
    [Symbol('s'), 'null'],
  ])('writes %p as %s', (value, text) => {
    expect(jsonValueText(value)).toBe(text);
  });

  it('writes null for what JSON.stringify cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;

    expect(jsonValueText(cyclic)).toBe('null');
    expect(jsonValueText({ big: 1n })).toBe('null');
  });
});

describe('jsonValueText of strings', () => {
  it('quotes any string exactly as JSON.stringify does', () => {
    const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
    const unit = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 1 }),
      loneSurrogate,
      fc.constantFrom('"', '\\', '\u007f'),
    );

    fc.assert(
      fc.property(fc.string({ unit }), (value) => {
        expect(jsonValueText(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('interpolationText', () => {
  it('keeps strings as they are and writes anything else as JSON text', () => {
    expect(interpolationText('{{email}} "x"')).toBe('{{email}} "x"');
    expect(interpolationText(7)).toBe('7');
    expect(interpolationText(null)).toBe('null');
    expect(interpolationText(undefined)).toBe('null');
    expect(interpolationText({ a: 1 })).toBe('{"a":1}');
  });
});
