import { BadRequestException } from '@nestjs/common';

/** One bad input, named by its path in the request (`auth.password`, `messageEvents`, `If-Match`). */
export interface FieldError {
  field: string;
  message: string;
  /** Extra detail some checks add: a template error's line and column, placeholder or path. */
  [detail: string]: unknown;
}

/** The 400 every validation failure answers with: one entry per bad field. */
export function validationFailed(errors: readonly FieldError[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'validation failed',
    errors,
  });
}

/** A key or query parameter whose name is empty (`?=x`, `{"": 1}`) has nothing else to be named by. */
export function emptyNameError(parent = ''): FieldError {
  return {
    field: parent ? `${parent}.(empty name)` : '(empty name)',
    message: 'a field or parameter with an empty name is not allowed',
  };
}
