import fc from 'fast-check';
import { parseJsonDocument } from './json-document';
import { findJsonSyntaxProblem } from './json-syntax-scanner';

function syntaxErrorOf(text: string) {
  const result = parseJsonDocument(text);
  if (result.ok) throw new Error(`expected a syntax error in ${text}`);
  return result.error;
}

describe('parseJsonDocument', () => {
  it('returns the parsed value of valid JSON', () => {
    expect(parseJsonDocument(' {"a": [1, "{{email}}"]} ')).toEqual({
      ok: true,
      value: { a: [1, '{{email}}'] },
    });
  });

  it.each([
    ['{"a":}', 1, 6, /Unexpected character '}': expected a value/],
    ['{\n  "a": 1,\n  "b" 2\n}', 3, 7, /expected ':' after the property name/],
    ['{\n  "a": 1,\n}', 3, 1, /Trailing comma before '}'/],
    ['[1,\r\n 2,]', 2, 4, /Trailing comma before ']'/],
    ['{"a": 1} x', 1, 10, /Unexpected text after the JSON value/],
    ['', 1, 1, /Unexpected end of input/],
    ['{"a": "b', 1, 7, /Unterminated string/],
    ['{"a": "x\ny"}', 1, 9, /Control character/],
    ['{"a": "\\q"}', 1, 8, /Invalid escape sequence/],
    ['{"a": "\\u12G4"}', 1, 8, /Invalid escape sequence/],
    ['{a: 1}', 1, 2, /expected a property name in double quotes/],
    ["{'a': 1}", 1, 2, /expected a property name in double quotes/],
    ['[01]', 1, 3, /expected ',' or ']' after an array element/],
    ['[1.]', 1, 4, /expected a digit after the decimal point/],
    ['[-]', 1, 3, /expected a digit/],
    ['[1e]', 1, 4, /expected a digit in the exponent/],
    ['[tru]', 1, 2, /Invalid literal: expected 'true'/],
    ['[NaN]', 1, 2, /Unexpected character 'N'/],
    ['{"a": 1 "b": 2}', 1, 9, /expected ',' or '}' after a property value/],
    ['\ufeff{}', 1, 1, /Unexpected character U\+FEFF/],
    ['[[[', 1, 4, /Unexpected end of input/],
  ])('locates the error in %p at line %i, column %i', (text, line, column, message) => {
    const error = syntaxErrorOf(text);

    expect(error).toMatchObject({ line, column });
    expect(error.message).toMatch(message);
  });

  it('scans deeply nested input without overflowing the stack', () => {
    const text = '['.repeat(200_000) + ']'.repeat(199_999);

    expect(syntaxErrorOf(text)).toMatchObject({ line: 1, column: 400_000 });
  });
});

describe('findJsonSyntaxProblem', () => {
  const jsonPieces = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"',
    '\\',
    ' ',
    '\n',
    '0',
    '-',
    '.',
    'e',
    'true',
    'nul',
  );
  const mangledJson = fc
    .tuple(fc.json(), fc.nat(), fc.nat(3), jsonPieces)
    .map(([text, at, removed, inserted]) => {
      const index = at % (text.length + 1);
      return text.slice(0, index) + inserted + text.slice(index + removed);
    });

  it('agrees with JSON.parse on what is valid JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          mangledJson,
          fc.string(),
          fc.array(jsonPieces).map((p) => p.join('')),
        ),
        (text) => {
          let validForParse = true;
          try {
            JSON.parse(text);
          } catch {
            validForParse = false;
          }

          expect(findJsonSyntaxProblem(text) === undefined).toBe(validForParse);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
