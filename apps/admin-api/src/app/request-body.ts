import { STATUS_CODES } from 'node:http';
import { json, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { FieldError } from './field-errors';

export const MAX_BODY_BYTES = 1024 * 1024;

/** PATCH bodies are JSON merge patches (RFC 7396) in all but name, so that media type is welcome too. */
const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * Request bodies: JSON only, at most 1 MiB. Refusals are answered here as JSON; the body itself is
 * never echoed nor attached to anything that gets logged, because it may hold credentials.
 */
export function requestBodyHandlers(): (RequestHandler | ErrorRequestHandler)[] {
  return [
    bodyWhereRequired,
    onlyJsonBodies,
    json({ limit: MAX_BODY_BYTES, type: JSON_TYPES }),
    bodyErrors,
    onlyObjectBodies,
  ];
}

/** The 400 every validation failure answers with, for the one bad field found here. */
function refuse(response: Response, error: FieldError): void {
  response
    .status(400)
    .json({ statusCode: 400, error: STATUS_CODES[400], message: 'validation failed', errors: [error] });
}

/** Every PATCH and PUT of this API says what to change; without a body it is a mistake, not a no-op. */
const bodyWhereRequired: RequestHandler = (request, response, next) => {
  if ((request.method !== 'PATCH' && request.method !== 'PUT') || hasBody(request)) return next();
  refuse(response, { field: 'body', message: `a ${request.method} request needs a JSON object body` });
};

const onlyJsonBodies: RequestHandler = (request, response, next) => {
  if (!hasBody(request) || request.is(JSON_TYPES)) return next();
  response.status(415).json({
    statusCode: 415,
    error: STATUS_CODES[415],
    message: 'request bodies must be JSON (content-type: application/json)',
  });
};

const notAnObject: FieldError = { field: 'body', message: 'request body must be a JSON object' };

/**
 * The JSON parser lets arrays through; every body of this API is an object. Bodies that nothing
 * downstream can hold are refused here, by path: PostgreSQL stores no NUL character (U+0000) in
 * text or jsonb, and validation walks bodies recursively.
 */
const onlyObjectBodies: RequestHandler = (request, response, next) => {
  const problem = Array.isArray(request.body) ? notAnObject : unstorable(request.body);
  if (problem) refuse(response, problem);
  else next();
};

/** Deeper than any setting or template (templates nest at most 64 levels). */
export const MAX_BODY_DEPTH = 100;

/**
 * The first key or string holding U+0000, or the first value nested past MAX_BODY_DEPTH. Walks with
 * its own stack: a 1 MiB body can nest deeper than the call stack goes.
 */
export function unstorable(body: unknown): FieldError | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string' && value.includes('\0')) return nulIn(path);
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      return { field: path, message: `nests deeper than ${MAX_BODY_DEPTH} levels` };
    }
    for (const [key, item] of Object.entries(value)) {
      const itemPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (key.includes('\0')) return nulIn(itemPath);
      pending.push({ value: item, path: itemPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function nulIn(path: string): FieldError {
  return { field: path || 'body', message: 'NUL characters (\\u0000) are not allowed' };
}
const bodyErrors: ErrorRequestHandler = (error: BodyParserError, _request, response, next) => {
  if (error.type === 'entity.too.large') {
    response.status(413).json({
      statusCode: 413,
      error: STATUS_CODES[413],
      message: `request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`,
    });
  } else if (error.type === 'entity.parse.failed') {
    refuse(response, notAnObject);
  } else if (error.expose && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    // body-parser's own messages (unsupported charset or encoding, aborted request) hold no body.
    response
      .status(error.status)
      .json({ statusCode: error.status, error: STATUS_CODES[error.status], message: error.message });
  } else {
    next(error);
  }
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  expose?: boolean;
}

function hasBody(request: Request): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0
  );
}
