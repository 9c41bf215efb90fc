import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorBodyDto } from '../api-errors.dto';
import { validationFailed } from '../field-errors';
import { IF_MATCH_PATTERN, parseIfMatch } from './if-match';

/** The version the request's `If-Match` header names, or undefined when it names none. */
export const IfMatchVersion = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const parsed = parseIfMatch(context.switchToHttp().getRequest<Request>().headers['if-match']);
  if (!parsed.ok) throw validationFailed([{ field: 'If-Match', message: parsed.message }]);
  return parsed.version;
});

/** Documents the optional `If-Match` header, and the 400 and 409 it can lead to. */
export const ApiIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      schema: { type: 'string', pattern: IF_MATCH_PATTERN.source },
      description:
        'The connection\'s `version` this change is based on (`3` or `"3"`). When the connection has changed since, nothing is changed and the answer is 409 with the current version. Without it, the last writer wins.',
    }),
    ApiBadRequestResponse({
      type: ErrorBodyDto,
      description: 'If-Match is neither a version (`3`, `"3"`) nor `*`.',
    }),
    ApiConflictResponse({
      type: ErrorBodyDto,
      description: 'If-Match names a version that is no longer current; the body gives `currentVersion`.',
    }),
  );
