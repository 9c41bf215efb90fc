import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiKeyRing } from './api-key-ring';
import { RateLimiter } from './rate-limiter';

export interface ProjectRequest extends Request {
  projectId: string;
}

/**
 * Every admin request carries `Authorization: Bearer <api key>`; the key decides the project. Each
 * project's requests are rate limited, and so are each client address's requests without a valid
 * key, so keys can't be guessed at speed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyRing,
    private readonly limiter: RateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<ProjectRequest>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const projectId = match ? this.keys.projectFor(match[1]) : undefined;
    const waitSeconds = this.limiter.take(projectId ? `project:${projectId}` : `address:${request.ip}`);
    if (waitSeconds > 0) {
      http.getResponse<Response>().setHeader('Retry-After', String(waitSeconds));
      throw new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          error: 'Too Many Requests',
          message: `rate limit exceeded; retry in ${waitSeconds} s`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    if (!projectId) throw new UnauthorizedException('missing or invalid API key');
    request.projectId = projectId;
    return true;
  }
}
