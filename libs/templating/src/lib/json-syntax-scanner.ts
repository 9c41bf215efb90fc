/** Where JSON text first breaks the grammar (RFC 8259), and why. */
export interface JsonSyntaxProblem {
  offset: number;
  message: string;
}

/**
 * Finds the first syntax error of JSON text, or `undefined` when it is valid. `JSON.parse` does not
 * always report a position, so this scanner locates the error itself. It is iterative, so deeply
 * nested input cannot overflow the stack.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  try {
    new JsonScanner(text).scanDocument();
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxFailure) return error.problem;
    throw error;
  }
}

class JsonSyntaxFailure extends Error {
  constructor(readonly problem: JsonSyntaxProblem) {
    super(problem.message);
  }
}

type Container = 'object' | 'array';

const closerOf: Readonly<Record<Container, string>> = { object: '}', array: ']' };
const simpleEscapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const hexDigit = /^[0-9A-Fa-f]$/;

class JsonScanner {
  private offset = 0;
  private readonly containers: Container[] = [];

  constructor(private readonly text: string) {}

  scanDocument(): void {
    let expectingValue = true;
    for (;;) {
      this.skipWhitespace();
      if (expectingValue) {
        expectingValue = this.scanValue();
      } else if (this.containers.length > 0) {
        expectingValue = this.scanAfterMember(this.containers[this.containers.length - 1] as Container);
      } else {
        if (this.offset < this.text.length) this.fail('Unexpected text after the JSON value');
        return;
      }
    }
  }

  /** Scans one value, or only the opening of a non-empty container; returns whether a value follows. */
  private scanValue(): boolean {
    const char = this.peek();
    switch (char) {
      case '{':
        return this.openContainer('object');
      case '[':
        return this.openContainer('array');
      case '"':
        this.scanString();
        return false;
      case 't':
      case 'f':
      case 'n':
        this.scanLiteral(char === 't' ? 'true' : char === 'f' ? 'false' : 'null');
        return false;
      default:
        if (char === '-' || isDigit(char)) {
          this.scanNumber();
          return false;
        }
        return this.failUnexpected('a value');
    }
  }

  private openContainer(container: Container): boolean {
    this.offset++;
    this.skipWhitespace();
    if (this.peek() === closerOf[container]) {
      this.offset++;
      return false;
    }
    this.containers.push(container);
    if (container === 'object') this.scanPropertyName();
    return true;
  }

  private scanAfterMember(container: Container): boolean {
    const char = this.peek();
    if (char === ',') {
      this.offset++;
      this.skipWhitespace();
      if (this.peek() === closerOf[container]) this.fail(`Trailing comma before '${closerOf[container]}'`);
      if (container === 'object') this.scanPropertyName();
      return true;
    }
    if (char === closerOf[container]) {
      this.offset++;
      this.containers.pop();
      return false;
    }
    const expected =
      container === 'object' ? "',' or '}' after a property value" : "',' or ']' after an array element";
    return this.failUnexpected(expected);
  }

  private scanPropertyName(): void {
    if (this.peek() !== '"') this.failUnexpected('a property name in double quotes');
    this.scanString();
    this.skipWhitespace();
    if (this.peek() !== ':') this.failUnexpected("':' after the property name");
    this.offset++;
  }

  private scanString(): void {
    const start = this.offset;
    this.offset++;
    for (;;) {
      const char = this.peek();
      if (char === undefined) this.fail('Unterminated string', start);
      if (char === '"') {
        this.offset++;
        return;
      }
      if (char === '\\') {
        this.scanEscape();
      } else if (char < ' ') {
        this.fail('Control character in a string: escape it, for example as \\n');
      } else {
        this.offset++;
      }
    }
  }

  private scanEscape(): void {
    const start = this.offset;
    const char = this.text[start + 1];
    if (char !== undefined && simpleEscapes.has(char)) {
      this.offset += 2;
      return;
    }
    if (char === 'u' && this.isHex(start + 2, 4)) {
      this.offset += 6;
      return;
    }
    this.fail('Invalid escape sequence in a string', start);
  }

  private scanNumber(): void {
    if (this.peek() === '-') this.offset++;
    if (this.peek() === '0') this.offset++;
    else this.scanDigits('a digit');
    if (this.peek() === '.') {
      this.offset++;
      this.scanDigits('a digit after the decimal point');
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      this.offset++;
      if (this.peek() === '+' || this.peek() === '-') this.offset++;
      this.scanDigits('a digit in the exponent');
    }
  }

  private scanDigits(expected: string): void {
    if (!isDigit(this.peek())) this.failUnexpected(expected);
    while (isDigit(this.peek())) this.offset++;
  }

  private scanLiteral(literal: string): void {
    if (!this.text.startsWith(literal, this.offset)) this.fail(`Invalid literal: expected '${literal}'`);
    this.offset += literal.length;
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.peek())) this.offset++;
  }

  private isHex(from: number, count: number): boolean {
    for (let index = from; index < from + count; index++) {
      if (!hexDigit.test(this.text[index] ?? '')) return false;
    }
    return true;
  }

  private peek(): string | undefined {
    return this.text[this.offset];
  }

  private failUnexpected(expected: string): never {
    const char = this.peek();
    const found = char === undefined ? 'end of input' : `character ${describeCharacter(char)}`;
    return this.fail(`Unexpected ${found}: expected ${expected}`);
  }

  private fail(message: string, offset = this.offset): never {
    throw new JsonSyntaxFailure({ offset, message });
  }
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function describeCharacter(char: string): string {
  const code = char.charCodeAt(0);
  if (code >= 0x21 && code <= 0x7e) return `'${char}'`;
  return 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
}
