export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
}

const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/** The line and column of an offset; `\n`, `\r\n` and a lone `\r` each end a line. */
export function textPosition(text: string, offset: number): TextPosition {
  const end = Math.min(Math.max(offset, 0), text.length);
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < end; index++) {
    const code = text.charCodeAt(index);
    const endsLine =
      code === lineFeed || (code === carriageReturn && text.charCodeAt(index + 1) !== lineFeed);
    if (endsLine) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
