import { findJsonSyntaxProblem } from './json-syntax-scanner';
import { TextPosition, textPosition } from './text-position';

export interface JsonSyntaxError extends TextPosition {
  message: string;
}

export type JsonDocumentResult = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

/** Parses JSON text; on a syntax error, says where (line and column) and why. */
export function parseJsonDocument(text: string): JsonDocumentResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: describeSyntaxError(text, error) };
  }
}

function describeSyntaxError(text: string, parseError: unknown): JsonSyntaxError {
  const problem = findJsonSyntaxProblem(text);
  if (problem !== undefined) return { message: problem.message, ...textPosition(text, problem.offset) };
  return syntaxErrorFromParseMessage(text, parseError);
}

/** Only used should the scanner accept what `JSON.parse` rejected: read the engine's own message. */
function syntaxErrorFromParseMessage(text: string, parseError: unknown): JsonSyntaxError {
  const message = parseError instanceof Error ? parseError.message : String(parseError);
  const lineAndColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineAndColumn) return { message, line: Number(lineAndColumn[1]), column: Number(lineAndColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : text.length;
  return { message, ...textPosition(text, offset) };
}
