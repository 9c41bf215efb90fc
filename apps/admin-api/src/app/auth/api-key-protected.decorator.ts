import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../api-errors.dto';
import { ApiKeyGuard } from './api-key.guard';

/** A controller whose every operation needs a project API key, and is rate limited by it. */
export const ApiKeyProtected = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Missing or invalid API key.' }),
    ApiTooManyRequestsResponse({
      type: ErrorBodyDto,
      description:
        'Over the rate limit of the project (or, without a valid key, of the address); see Retry-After.',
    }),
    UseGuards(ApiKeyGuard),
  );
