import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { ApiKeyRing } from './api-key-ring';
import { RateLimiter } from './rate-limiter';

export interface ProjectRequest extends Request {
  projectId: string;
}

export interface RefusalLog {
  info(details: object, message: string): void;
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
    // Already checked before the body was read (`checkBeforeBody`).
    if (request.projectId === undefined) this.authenticate(request, http.getResponse<Response>());
    return true;
  }

  /**
   * The same check as Express middleware, ahead of reading a body: a request without a valid key is
   * refused, and counted against its address, before its body is parsed or judged. It runs before
   * the request logger too, so it logs its refusals itself.
   */
  checkBeforeBody(log: RefusalLog): RequestHandler {
    return (request, response, next) => {
      try {
        this.authenticate(request as ProjectRequest, response);
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        response.status(error.getStatus()).json(error.getResponse());
        log.info(
          {
            req: { method: request.method, url: request.originalUrl, remoteAddress: request.ip },
            res: { statusCode: error.getStatus() },
          },
          'request refused before its body was read',
        );
        return;
      }
      next();
    };
  }

  private authenticate(request: ProjectRequest, response: Response): void {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const projectId = match ? this.keys.projectFor(match[1]) : undefined;
    const waitSeconds = this.limiter.take(projectId ? `project:${projectId}` : `address:${request.ip}`);
    if (waitSeconds > 0) {
      response.setHeader('Retry-After', String(waitSeconds));
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
  }
}
