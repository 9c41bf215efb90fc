import { parseIfMatch } from './if-match';

describe('parseIfMatch', () => {
  it.each([
    ['3', 3],
    ['"3"', 3],
    [' 12 ', 12],
    [undefined, undefined],
    ['', undefined],
    ['*', undefined],
  ])('reads %p as version %p', (header, version) => {
    expect(parseIfMatch(header)).toEqual({ ok: true, version });
  });

  it.each(['abc', '-1', '3.5', 'W/"3"', '"3", "4"', '1234567890'])(
    'refuses %p, naming the header',
    (header) => {
      expect(parseIfMatch(header)).toEqual({
        ok: false,
        message: expect.stringMatching(/^If-Match must be a connection version/),
      });
    },
  );
});
