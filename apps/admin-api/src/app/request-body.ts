import { STATUS_CODES } from 'node:http';
import { json, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';

export const MAX_BODY_BYTES = 1024 * 1024;

/** PATCH bodies are JSON merge patches (RFC 7396) in all but name, so that media type is welcome too. */
const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * Request bodies: JSON only, at most 1 MiB. Refusals are answered here as JSON; the body itself is
 * never echoed nor attached to anything that gets logged, because it may hold credentials.
 */
export function requestBodyHandlers(): (RequestHandler | ErrorRequestHandler)[] {
  return [onlyJsonBodies, json({ limit: MAX_BODY_BYTES, type: JSON_TYPES }), bodyErrors, onlyObjectBodies];
}

const onlyJsonBodies: RequestHandler = (request, response, next) => {
  if (!hasBody(request) || request.is(JSON_TYPES)) return next();
  response.status(415).json({
    statusCode: 415,
    error: STATUS_CODES[415],
    message: 'request bodies must be JSON (content-type: application/json)',
  });
};

const notAnObject = {
  statusCode: 400,
  error: STATUS_CODES[400],
  message: 'validation failed',
  errors: [{ field: 'body', message: 'request body must be a JSON object' }],
};

/** The JSON parser lets arrays through; every body of this API is an object. */
const onlyObjectBodies: RequestHandler = (request, response, next) => {
  if (Array.isArray(request.body)) response.status(400).json(notAnObject);
  else next();
};

const bodyErrors: ErrorRequestHandler = (error: BodyParserError, _request, response, next) => {
  if (error.type === 'entity.too.large') {
    response.status(413).json({
      statusCode: 413,
      error: STATUS_CODES[413],
      message: `request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`,
    });
  } else if (error.type === 'entity.parse.failed') {
    response.status(400).json(notAnObject);
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
