import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ProjectRequest } from './api-key.guard';

/** The project of the API key the request was made with. */
export const ProjectId = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<ProjectRequest>().projectId,
);
