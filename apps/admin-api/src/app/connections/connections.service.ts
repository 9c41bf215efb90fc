import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { credentialsContext, type Credentials } from '@campaign-webhooks/contracts';
import { systemResolver, type AddressResolver, type EndpointPolicy } from '@campaign-webhooks/http-delivery';
import type { ConnectionEntity } from '@campaign-webhooks/persistence';
import { SecretBox } from '@campaign-webhooks/secrets';
import { validationFailed, type FieldError } from '../field-errors';
import { credentialsFrom, misplacedAuthFields, openCredentials } from './connection-credentials';
import type { CreateConnectionDto } from './connection.dto';
import type { PatchConnectionDto } from './connection-patch.dto';
import type { ConnectionStore } from './connection-store';
import { connectionView } from './connection-view';
import type { ConnectionViewDto } from './connection-view.dto';
import { patchCredentials } from './credentials-patch';
import { checkEndpoints } from './endpoint-check';
import { rotateSigningSecret } from './secret-rotation';
import { applySettingsPatch } from './settings-patch';

/**
 * The connection use cases of one project at a time. Credentials are sealed before they are stored
 * and never leave in a response, except a signing secret in the response that generated it.
 */
export class ConnectionsService {
  constructor(
    private readonly store: ConnectionStore,
    private readonly secrets: SecretBox,
    private readonly policy: EndpointPolicy,
    private readonly resolve: AddressResolver = systemResolver,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(projectId: string, dto: CreateConnectionDto): Promise<ConnectionViewDto> {
    const errors = [
      ...misplacedAuthFields(dto.auth),
      ...(await this.checkUrls(dto.url, dto.auth.type === 'oauth2' ? dto.auth.tokenUrl : undefined)),
    ];
    if (errors.length > 0) throw validationFailed(errors);
    const credentials = credentialsFrom(dto.auth);
    const id = randomUUID();
    const saved = await this.store.insert({
      id,
      projectId,
      name: dto.name,
      url: dto.url,
      authType: credentials.type,
      credentials: this.seal(credentials, projectId, id),
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
    return this.view(saved, credentials.type === 'signed' ? credentials.secret : undefined);
  }

  async list(projectId: string): Promise<ConnectionViewDto[]> {
    return (await this.store.list(projectId)).map((connection) => this.view(connection));
  }

  async get(projectId: string, id: string): Promise<ConnectionViewDto> {
    return this.view(await this.store.get(projectId, id));
  }

  async update(
    projectId: string,
    id: string,
    patch: PatchConnectionDto,
    expectedVersion: number | undefined,
  ): Promise<ConnectionViewDto> {
    const urlErrors = await this.checkUrls(
      patch.url,
      patch.auth?.type === 'oauth2' ? patch.auth.tokenUrl : undefined,
    );
    let generatedSecret: string | undefined;
    const saved = await this.store.update(projectId, id, expectedVersion, (connection) => {
      const errors: FieldError[] = [...urlErrors];
      let credentials: Credentials | undefined;
      if (patch.auth) {
        const current = this.credentialsOf(connection);
        const result = patchCredentials(current, patch.auth);
        if (!result.ok) errors.push(...result.errors);
        else if (!sameCredentials(current, result.credentials)) {
          credentials = result.credentials;
          generatedSecret = result.generatedSecret;
        }
      }
      if (errors.length > 0) throw validationFailed(errors);
      if (credentials) {
        connection.authType = credentials.type;
        connection.credentials = this.seal(credentials, connection.projectId, connection.id);
      }
      return applySettingsPatch(connection, patch) || credentials !== undefined;
    });
    return this.view(saved, generatedSecret);
  }

  async setActive(
    projectId: string,
    id: string,
    active: boolean,
    expectedVersion: number | undefined,
  ): Promise<ConnectionViewDto> {
    const saved = await this.store.update(projectId, id, expectedVersion, (connection) => {
      if (connection.active === active) return false;
      connection.active = active;
      return true;
    });
    return this.view(saved);
  }

  async rotateSecret(
    projectId: string,
    id: string,
    expectedVersion: number | undefined,
  ): Promise<ConnectionViewDto> {
    let secret: string | undefined;
    const saved = await this.store.update(projectId, id, expectedVersion, (connection) => {
      const current = this.credentialsOf(connection);
      if (current.type !== 'signed') {
        throw validationFailed([
          {
            field: 'auth.type',
            message: `only a connection with auth type signed has a signing secret to rotate; this one's auth.type is ${current.type}`,
          },
        ]);
      }
      const rotated = rotateSigningSecret(current, this.clock());
      connection.credentials = this.seal(rotated, connection.projectId, connection.id);
      secret = rotated.secret;
      return true;
    });
    return this.view(saved, secret);
  }

  remove(projectId: string, id: string, expectedVersion: number | undefined): Promise<void> {
    return this.store.remove(projectId, id, expectedVersion);
  }

  private checkUrls(url: string | undefined, tokenUrl: string | undefined): Promise<FieldError[]> {
    return checkEndpoints(
      [
        { field: 'url', url },
        { field: 'auth.tokenUrl', url: tokenUrl },
      ],
      this.policy,
      this.resolve,
    );
  }

  private seal(credentials: Credentials, projectId: string, connectionId: string): string | null {
    return credentials.type === 'none'
      ? null
      : this.secrets.sealJson(credentials, credentialsContext(projectId, connectionId));
  }

  private credentialsOf(connection: ConnectionEntity): Credentials {
    return openCredentials(this.secrets, connection);
  }

  /** `generatedSecret` is shown once, in the answer to the request that generated it. */
  private view(connection: ConnectionEntity, generatedSecret?: string): ConnectionViewDto {
    const view = connectionView(connection, this.credentialsOf(connection), this.clock());
    if (generatedSecret !== undefined) view.auth.secret = generatedSecret;
    return view;
  }
}

function sameCredentials(a: Credentials, b: Credentials): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
