import {
  Controller,
  createParamDecorator,
  Delete,
  Get,
  HttpCode,
  Param,
  Put,
  type ExecutionContext,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ErrorBodyDto, ValidationErrorBodyDto } from '../api-errors.dto';
import { ApiKeyProtected } from '../auth/api-key-protected.decorator';
import { ProjectId } from '../auth/project-id.decorator';
import { ApiIfMatch, IfMatchVersion } from '../connections/if-match.decorator';
import { validationFailed } from '../field-errors';
import { templateFromBody } from './template-body';
import { PutTemplateDto, TemplateViewDto } from './template.dto';
import { TemplatesService } from './templates.service';

/** The template of the request body; see `templateFromBody` for why not `@Body()`. */
const TemplateSource = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const body = templateFromBody(context.switchToHttp().getRequest<{ body?: unknown }>().body);
  if (!body.ok) throw validationFailed(body.errors);
  return body.source;
});

const notFound =
  'No such connection in this project, or an event the catalog does not know (the message names it).';

@ApiTags('templates')
@ApiKeyProtected()
@ApiParam({ name: 'id', format: 'uuid', description: 'The connection.' })
@ApiParam({
  name: 'event',
  description: 'A message or subscription event of the catalog.',
  example: 'message_send',
})
@Controller('v1/connections/:id/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get(':event')
  @ApiOperation({
    summary: 'The template in force for an event',
    description:
      'An event never edited shows the default body written as a template, every value a placeholder, with isDefault true.',
  })
  @ApiOkResponse({ type: TemplateViewDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: notFound })
  get(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @Param('event') event: string,
  ): Promise<TemplateViewDto> {
    return this.templates.get(projectId, id, event);
  }

  @Put(':event')
  @ApiOperation({
    summary: 'Save a custom template for an event, replacing the default body',
    description:
      'Validated on save: invalid JSON text gives the line and column, an unknown placeholder its name and JSONPath. At most 64 KiB as JSON. Published to the pipeline with the connection.',
  })
  @ApiIfMatch()
  @ApiBody({ type: PutTemplateDto })
  @ApiOkResponse({ type: TemplateViewDto })
  @ApiBadRequestResponse({
    type: ValidationErrorBodyDto,
    description: 'The template is refused; each error is named.',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: notFound })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: 'The body is larger than 1 MiB.' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorBodyDto, description: 'The body is not application/json.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was saved.',
  })
  save(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @Param('event') event: string,
    @IfMatchVersion() expectedVersion: number | undefined,
    @TemplateSource() source: unknown,
  ): Promise<TemplateViewDto> {
    return this.templates.save(projectId, id, event, source, expectedVersion);
  }

  @Delete(':event')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Reset an event to the default body',
    description: 'Resetting an event never edited is not an error.',
  })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'The default body is in force.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: notFound })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was changed.',
  })
  reset(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @Param('event') event: string,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<void> {
    return this.templates.reset(projectId, id, event, expectedVersion);
  }
}
