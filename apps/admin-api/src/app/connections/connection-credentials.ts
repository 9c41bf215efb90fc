import { randomBytes } from 'node:crypto';
import type { Credentials } from '@campaign-webhooks/contracts';
import type { AuthDto, AuthViewDto } from './connection.dto';

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function credentialsFrom(auth: AuthDto): Credentials {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: auth.username ?? '', password: auth.password ?? '' };
    case 'bearer':
      return { type: 'bearer', token: auth.token ?? '' };
    case 'signed':
      return { type: 'signed', secret: generateSigningSecret() };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: auth.tokenUrl ?? '',
        clientId: auth.clientId ?? '',
        clientSecret: auth.clientSecret ?? '',
        scope: auth.scope,
        audience: auth.audience,
      };
  }
}

/** What a reader may see: the type, its non-secret fields, and which secrets are set. */
export function authView(credentials: Credentials): AuthViewDto {
  switch (credentials.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: credentials.username, passwordSet: credentials.password.length > 0 };
    case 'bearer':
      return { type: 'bearer', tokenSet: credentials.token.length > 0 };
    case 'signed':
      return { type: 'signed', secretSet: credentials.secret.length > 0 };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: credentials.tokenUrl,
        clientId: credentials.clientId,
        clientSecretSet: credentials.clientSecret.length > 0,
        scope: credentials.scope,
        audience: credentials.audience,
      };
  }
}
