import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyRing } from './api-key-ring';

export interface ProjectRequest extends Request {
  projectId: string;
}

/** Every admin request carries `Authorization: Bearer <api key>`; the key decides the project. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyRing) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ProjectRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const projectId = match ? this.keys.projectFor(match[1]) : undefined;
    if (!projectId) throw new UnauthorizedException('missing or invalid API key');
    request.projectId = projectId;
    return true;
  }
}
