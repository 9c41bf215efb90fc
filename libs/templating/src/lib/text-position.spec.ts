import { textPosition } from './text-position';

describe('textPosition', () => {
  it('counts lines and columns from 1', () => {
    expect(textPosition('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(textPosition('abc', 2)).toEqual({ line: 1, column: 3 });
    expect(textPosition('ab\ncd', 3)).toEqual({ line: 2, column: 1 });
    expect(textPosition('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('counts \\r\\n as one line break and a lone \\r as one', () => {
    expect(textPosition('a\r\nb', 3)).toEqual({ line: 2, column: 1 });
    expect(textPosition('a\rb\nc', 4)).toEqual({ line: 3, column: 1 });
  });

  it('clamps an offset past the end to the end', () => {
    expect(textPosition('ab\n', 99)).toEqual({ line: 2, column: 1 });
  });
});
