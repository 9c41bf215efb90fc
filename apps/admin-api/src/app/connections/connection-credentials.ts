import { randomBytes } from 'node:crypto';
import {
  credentialsContext,
  credentialsSchema,
  type AuthType,
  type Credentials,
} from '@campaign-webhooks/contracts';
import type { ConnectionEntity } from '@campaign-webhooks/persistence';
import type { SecretBox } from '@campaign-webhooks/secrets';
import type { FieldError } from '../field-errors';
import type { AuthViewDto } from './connection-view.dto';

/** Auth settings as a request gives them (create or PATCH): the type and any of its fields. */
export interface AuthSettings {
  type: AuthType;
  username?: string;
  password?: string;
  token?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string | null;
  audience?: string | null;
}

type AuthField = Exclude<keyof AuthSettings, 'type'>;

const FIELDS_OF_TYPE: Record<AuthType, readonly AuthField[]> = {
  none: [],
  basic: ['username', 'password'],
  bearer: ['token'],
  signed: [],
  oauth2: ['tokenUrl', 'clientId', 'clientSecret', 'scope', 'audience'],
};

/** The fields a type cannot do without (create validates them; a PATCH that changes type checks them). */
export const REQUIRED_FIELDS_OF_TYPE: Record<AuthType, readonly AuthField[]> = {
  none: [],
  basic: ['username', 'password'],
  bearer: ['token'],
  signed: [],
  oauth2: ['tokenUrl', 'clientId', 'clientSecret'],
};

const ALL_FIELDS: readonly AuthField[] = [
  'username',
  'password',
  'token',
  'tokenUrl',
  'clientId',
  'clientSecret',
  'scope',
  'audience',
];

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Fields given for a type that does not use them: refused rather than dropped, so a request that
 * meant another type (or misspelt it) is not silently stored as something else.
 */
export function misplacedAuthFields(auth: AuthSettings): FieldError[] {
  const used = FIELDS_OF_TYPE[auth.type] ?? [];
  return ALL_FIELDS.filter((field) => auth[field] !== undefined && !used.includes(field)).map((field) => ({
    field: `auth.${field}`,
    message: `auth.${field} is not used by auth type ${auth.type}`,
  }));
}

/** Credentials from complete settings of one type; a signed connection gets a new secret. */
export function credentialsFrom(
  auth: AuthSettings,
  newSecret: () => string = generateSigningSecret,
): Credentials {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: auth.username ?? '', password: auth.password ?? '' };
    case 'bearer':
      return { type: 'bearer', token: auth.token ?? '' };
    case 'signed':
      return { type: 'signed', secret: newSecret() };
    case 'oauth2':
      return withoutUndefined({
        type: 'oauth2',
        tokenUrl: auth.tokenUrl ?? '',
        clientId: auth.clientId ?? '',
        clientSecret: auth.clientSecret ?? '',
        scope: auth.scope ?? undefined,
        audience: auth.audience ?? undefined,
      });
  }
}

/** What a reader may see: the type, its non-secret fields, and which secrets are set. */
export function authView(credentials: Credentials, now: Date): AuthViewDto {
  switch (credentials.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: credentials.username, passwordSet: credentials.password.length > 0 };
    case 'bearer':
      return { type: 'bearer', tokenSet: credentials.token.length > 0 };
    case 'signed': {
      const view: AuthViewDto = { type: 'signed', secretSet: credentials.secret.length > 0 };
      const expiresAt = credentials.previousSecretExpiresAt;
      if (credentials.previousSecret && expiresAt && Date.parse(expiresAt) > now.getTime()) {
        view.previousSecretExpiresAt = expiresAt;
      }
      return view;
    }
    case 'oauth2':
      return withoutUndefined({
        type: 'oauth2',
        tokenUrl: credentials.tokenUrl,
        clientId: credentials.clientId,
        clientSecretSet: credentials.clientSecret.length > 0,
        scope: credentials.scope,
        audience: credentials.audience,
      });
  }
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** A stored connection's credentials, opened for the project and connection they were sealed for. */
export function openCredentials(secrets: SecretBox, connection: ConnectionEntity): Credentials {
  return connection.credentials
    ? credentialsSchema.parse(
        secrets.openJson(connection.credentials, credentialsContext(connection.projectId, connection.id)),
      )
    : { type: 'none' };
}
