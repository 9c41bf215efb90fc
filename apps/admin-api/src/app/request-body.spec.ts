import { MAX_BODY_DEPTH, unstorable } from './request-body';

const nul = 'NUL characters (\\u0000) are not allowed';

describe('unstorable', () => {
  it('finds U+0000 in a string value or a key, by its path', () => {
    expect(unstorable({ name: 'a\0b' })).toEqual({ field: 'name', message: nul });
    expect(unstorable({ template: { who: [{ 'x\0': 1 }] } })).toEqual({
      field: 'template.who[0].x\0',
      message: nul,
    });
    expect(unstorable({ template: ['ok', 'n\0'] })).toEqual({ field: 'template[1]', message: nul });
  });

  it('refuses nesting past the limit, however deep, and passes what stays within it', () => {
    const nest = (levels: number) => {
      let value: unknown = 'leaf';
      for (let level = 0; level < levels; level++) value = [value];
      return value;
    };
    expect(unstorable({ template: nest(MAX_BODY_DEPTH - 2) })).toBeUndefined();
    expect(unstorable({ template: nest(MAX_BODY_DEPTH) })?.message).toBe(
      `nests deeper than ${MAX_BODY_DEPTH} levels`,
    );
    expect(unstorable({ template: nest(300_000) })?.field).toMatch(/^template(\[0\])+$/);
  });

  it('passes ordinary bodies', () => {
    expect(unstorable({ name: 'Jane', nested: { list: [1, null, true, 'x'] } })).toBeUndefined();
  });
});
