import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The body of every error answer. */
export class ErrorBodyDto {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiPropertyOptional({ example: 'Not Found' }) error?: string;
  @ApiProperty({ example: 'connection 0b9e4c8e-6a51-4a7e-9d0b-2f3c1c1d2e3f not found' }) message!: string;
  @ApiPropertyOptional({ description: '409 only: the version the connection is at now.', example: 4 })
  currentVersion?: number;
}

export class FieldErrorDto {
  @ApiProperty({
    description: 'The bad field, by its path in the request body (or `If-Match`, `body`).',
    example: 'auth.password',
  })
  field!: string;
  @ApiProperty({ example: 'password should not be empty' }) message!: string;
  @ApiPropertyOptional({
    description:
      'Template errors: invalid_json, unknown_placeholder, invalid_value, not_a_document, too_large.',
  })
  code?: string;
  @ApiPropertyOptional({ description: 'invalid_json: 1-based line of the error in the template text.' })
  line?: number;
  @ApiPropertyOptional({ description: 'invalid_json: 1-based column (UTF-16 code units).' })
  column?: number;
  @ApiPropertyOptional({ description: 'unknown_placeholder: the name as written.', example: 'emial' })
  placeholder?: string;
  @ApiPropertyOptional({ description: 'Where in the template, as JSONPath.', example: '$.properties.email' })
  path?: string;
}

/** 400: one entry per bad field. */
export class ValidationErrorBodyDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'validation failed' }) message!: string;
  @ApiProperty({ type: FieldErrorDto, isArray: true }) errors!: FieldErrorDto[];
}
