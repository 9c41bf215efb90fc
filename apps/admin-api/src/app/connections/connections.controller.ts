import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ProjectId } from '../auth/project-id.decorator';
import { ConnectionListDto, ConnectionViewDto, CreateConnectionDto } from './connection.dto';
import { ConnectionsService } from './connections.service';

@ApiTags('connections')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid API key.' })
@UseGuards(ApiKeyGuard)
@Controller('v1/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a connection' })
  @ApiCreatedResponse({
    type: ConnectionViewDto,
    description: 'A Signed Payload connection carries auth.secret here, once.',
  })
  create(@ProjectId() projectId: string, @Body() body: CreateConnectionDto): Promise<ConnectionViewDto> {
    return this.connections.create(projectId, body);
  }

  @Get()
  @ApiOperation({ summary: "List the project's connections" })
  @ApiOkResponse({ type: ConnectionListDto })
  async list(@ProjectId() projectId: string): Promise<ConnectionListDto> {
    return { items: await this.connections.list(projectId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a connection' })
  @ApiOkResponse({ type: ConnectionViewDto })
  @ApiNotFoundResponse({ description: 'No such connection in this project.' })
  get(@ProjectId() projectId: string, @Param('id') id: string): Promise<ConnectionViewDto> {
    return this.connections.get(projectId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connection' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such connection in this project.' })
  remove(@ProjectId() projectId: string, @Param('id') id: string): Promise<void> {
    return this.connections.remove(projectId, id);
  }
}
