import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { useContainer } from 'class-validator';
import { emptyNameError, validationFailed, type FieldError } from './field-errors';

/** Rejects unknown fields, and answers 400 with one entry per bad field, named by its path. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // One message per bad field: a missing string is not also reported as empty and too long.
    stopAtFirstError: true,
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    if (error.property === '') return [emptyNameError(parent)];
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Hands class-validator the constraint instances Nest built with their configuration; any other
 * class it instantiates itself, as it does without a container.
 */
export function useValidationConstraints(...constraints: object[]): void {
  const byType = new Map<unknown, object>(
    constraints.map((constraint) => [constraint.constructor, constraint]),
  );
  useContainer({ get: <T>(type: unknown) => byType.get(type) as T }, { fallback: true });
}
