import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
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
import { CreateConnectionDto } from './connection.dto';
import { PatchConnectionDto } from './connection-patch.dto';
import { ConnectionListDto, ConnectionViewDto } from './connection-view.dto';
import { ConnectionsService } from './connections.service';
import { ApiIfMatch, IfMatchVersion } from './if-match.decorator';

@ApiTags('connections')
@ApiKeyProtected()
@Controller('v1/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a connection',
    description:
      'A Signed Payload connection gets a generated whsec_ secret, returned in this response only.',
  })
  @ApiCreatedResponse({
    type: ConnectionViewDto,
    description: 'A signed connection carries auth.secret here, once.',
  })
  @ApiBadRequestResponse({ type: ValidationErrorBodyDto, description: 'Each bad field, named.' })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: 'The body is larger than 1 MiB.' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorBodyDto, description: 'The body is not application/json.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was stored.',
  })
  create(@ProjectId() projectId: string, @Body() body: CreateConnectionDto): Promise<ConnectionViewDto> {
    return this.connections.create(projectId, body);
  }

  @Get()
  @ApiOperation({
    summary: "List the project's connections",
    description: 'Oldest first. Secrets are never returned.',
  })
  @ApiOkResponse({ type: ConnectionListDto })
  async list(@ProjectId() projectId: string): Promise<ConnectionListDto> {
    return { items: await this.connections.list(projectId) };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Read a connection',
    description: 'Secrets are never returned; auth says which are set.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConnectionViewDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  get(@ProjectId() projectId: string, @Param('id') id: string): Promise<ConnectionViewDto> {
    return this.connections.get(projectId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update any settings of a connection',
    description:
      'Settings left out stay as they are. `auth` with the stored type changes only the fields it gives; with another type it replaces the auth settings (a change to signed generates a secret, returned in this response only). `notifyOnErrorEmail: null` clears the address. Takes effect for events consumed after it, within seconds.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiIfMatch()
  @ApiOkResponse({ type: ConnectionViewDto })
  @ApiBadRequestResponse({ type: ValidationErrorBodyDto, description: 'Each bad field, named.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: 'The body is larger than 1 MiB.' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorBodyDto, description: 'The body is not application/json.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was changed.',
  })
  update(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @IfMatchVersion() expectedVersion: number | undefined,
    @Body() body: PatchConnectionDto,
  ): Promise<ConnectionViewDto> {
    return this.connections.update(projectId, id, body, expectedVersion);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stop sending to a connection, without deleting it',
    description:
      'Deliveries not yet attempted are skipped. Answers the connection; already inactive is not an error.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiIfMatch()
  @ApiOkResponse({ type: ConnectionViewDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was changed.',
  })
  deactivate(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<ConnectionViewDto> {
    return this.connections.setActive(projectId, id, false, expectedVersion);
  }

  @Post(':id/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume sending to a connection' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiIfMatch()
  @ApiOkResponse({ type: ConnectionViewDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was changed.',
  })
  activate(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<ConnectionViewDto> {
    return this.connections.setActive(projectId, id, true, expectedVersion);
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret of a signed connection',
    description:
      'Generates a new whsec_ secret, returned in this response only as auth.secret. The former secret keeps signing beside it for 24 hours (auth.previousSecretExpiresAt); a secret that was already the previous one stops at once.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiIfMatch()
  @ApiOkResponse({ type: ConnectionViewDto, description: 'Carries the new secret as auth.secret, once.' })
  @ApiBadRequestResponse({
    type: ValidationErrorBodyDto,
    description: 'The connection is not signed (field auth.type).',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was changed.',
  })
  rotateSecret(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<ConnectionViewDto> {
    return this.connections.rotateSecret(projectId, id, expectedVersion);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a connection',
    description:
      'Events consumed after it are not sent to it, and its deliveries not yet attempted are skipped.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'The change feed is unavailable; nothing was deleted.',
  })
  remove(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<void> {
    return this.connections.remove(projectId, id, expectedVersion);
  }
}
