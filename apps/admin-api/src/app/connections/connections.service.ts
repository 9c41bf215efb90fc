import { randomUUID } from 'node:crypto';
import { checkEndpointUrl, type EndpointPolicy } from '@campaign-webhooks/http-delivery';
import { ConnectionEntity } from '@campaign-webhooks/persistence';
import { SecretBox } from '@campaign-webhooks/secrets';
import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { credentialsSchema, type Credentials } from '@campaign-webhooks/contracts';
import { authView, credentialsFrom } from './connection-credentials';
import type { ConnectionViewDto, CreateConnectionDto } from './connection.dto';
import type { ConnectionFeedPublisher } from './connection-feed-publisher';

/**
 * Connections of one project at a time: every query is scoped by the caller's project, so
 * another project's id reads as not found.
 */
export class ConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly feed: ConnectionFeedPublisher,
    private readonly secrets: SecretBox,
    private readonly policy: EndpointPolicy,
  ) {}

  async create(projectId: string, dto: CreateConnectionDto): Promise<ConnectionViewDto> {
    this.checkUrl('url', dto.url);
    if (dto.auth.type === 'oauth2') this.checkUrl('auth.tokenUrl', dto.auth.tokenUrl ?? '');
    const credentials = credentialsFrom(dto.auth);
    const saved = await this.inTransactionWithFeed(async (manager) => {
      const entity = manager.create(ConnectionEntity, {
        id: randomUUID(),
        projectId,
        name: dto.name,
        url: dto.url,
        authType: credentials.type,
        credentials: credentials.type === 'none' ? null : this.secrets.sealJson(credentials),
        messageEvents: dto.messageEvents,
        channels: dto.channels,
        subscriptionEvents: dto.subscriptionEvents ?? [],
        excludeIntegrationSources: dto.excludeIntegrationSources ?? false,
        requireExternalMessageId: dto.requireExternalMessageId ?? false,
        useStaticIp: dto.useStaticIp ?? false,
        notifyOnErrorEmail: dto.notifyOnErrorEmail ?? null,
        active: dto.active ?? true,
        templates: {},
      });
      return manager.save(entity);
    });
    const view = this.view(saved);
    // The signing secret is shown once, in the answer to its creation.
    if (credentials.type === 'signed') view.auth.secret = credentials.secret;
    return view;
  }

  async list(projectId: string): Promise<ConnectionViewDto[]> {
    const found = await this.dataSource.manager.find(ConnectionEntity, {
      where: { projectId },
      order: { createdAt: 'ASC' },
    });
    return found.map((connection) => this.view(connection));
  }

  async get(projectId: string, id: string): Promise<ConnectionViewDto> {
    return this.view(await this.find(this.dataSource.manager, projectId, id));
  }

  async remove(projectId: string, id: string): Promise<void> {
    await this.inTransactionWithFeed(async (manager) => {
      const connection = await this.find(manager, projectId, id);
      await manager.delete(ConnectionEntity, { id: connection.id, projectId });
      return connection;
    }, true);
  }

  private async find(manager: EntityManager, projectId: string, id: string): Promise<ConnectionEntity> {
    const found = isUuid(id) ? await manager.findOneBy(ConnectionEntity, { id, projectId }) : null;
    if (!found) throw new NotFoundException(`connection ${id} not found`);
    return found;
  }

  /**
   * Writes and publishes together: the change is committed only once the feed has acknowledged
   * it, so the pipeline never misses a change the API reported as done.
   */
  private async inTransactionWithFeed(
    work: (manager: EntityManager) => Promise<ConnectionEntity>,
    deletion = false,
  ): Promise<ConnectionEntity> {
    return this.dataSource.transaction(async (manager) => {
      const connection = await work(manager);
      try {
        if (deletion) await this.feed.publishDeletion(connection.id);
        else await this.feed.publish(connection);
      } catch {
        throw new ServiceUnavailableException(
          'the change feed is unavailable; nothing was changed, try again',
        );
      }
      return connection;
    });
  }

  private checkUrl(field: string, url: string): void {
    const check = checkEndpointUrl(url, this.policy);
    if (!check.ok) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'validation failed',
        errors: [{ field, message: check.reason }],
      });
    }
  }

  private view(connection: ConnectionEntity): ConnectionViewDto {
    const credentials: Credentials = connection.credentials
      ? credentialsSchema.parse(this.secrets.openJson(connection.credentials))
      : { type: 'none' };
    return {
      id: connection.id,
      name: connection.name,
      url: connection.url,
      auth: authView(credentials),
      messageEvents: connection.messageEvents,
      channels: connection.channels,
      subscriptionEvents: connection.subscriptionEvents,
      excludeIntegrationSources: connection.excludeIntegrationSources,
      requireExternalMessageId: connection.requireExternalMessageId,
      useStaticIp: connection.useStaticIp,
      notifyOnErrorEmail: connection.notifyOnErrorEmail,
      active: connection.active,
      version: connection.version,
      createdAt: connection.createdAt.toISOString(),
      updatedAt: connection.updatedAt.toISOString(),
    };
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
