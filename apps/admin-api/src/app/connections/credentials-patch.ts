import type { Credentials } from '@campaign-webhooks/contracts';
import type { FieldError } from '../field-errors';
import {
  credentialsFrom,
  generateSigningSecret,
  misplacedAuthFields,
  REQUIRED_FIELDS_OF_TYPE,
  withoutUndefined,
  type AuthSettings,
} from './connection-credentials';

export type CredentialsPatchResult =
  | { ok: true; credentials: Credentials; generatedSecret?: string }
  | { ok: false; errors: FieldError[] };

/**
 * The credentials after a PATCH of `auth`. Same type: each field given replaces the stored one, each
 * left out keeps it (`null` clears the optional scope and audience); a signed secret changes only by
 * rotation. Another type: the new type's required fields must all be given, nothing carries over,
 * and a change to `signed` generates the secret that the response shows once.
 */
export function patchCredentials(
  current: Credentials,
  patch: AuthSettings,
  newSecret: () => string = generateSigningSecret,
): CredentialsPatchResult {
  const misplaced = misplacedAuthFields(patch);
  if (misplaced.length > 0) return { ok: false, errors: misplaced };

  if (patch.type !== current.type) {
    const missing = REQUIRED_FIELDS_OF_TYPE[patch.type].filter((field) => patch[field] === undefined);
    if (missing.length > 0) {
      return {
        ok: false,
        errors: missing.map((field) => ({
          field: `auth.${field}`,
          message: `auth.${field} is required to change auth type from ${current.type} to ${patch.type}`,
        })),
      };
    }
    const credentials = credentialsFrom(patch, newSecret);
    return credentials.type === 'signed'
      ? { ok: true, credentials, generatedSecret: credentials.secret }
      : { ok: true, credentials };
  }

  switch (current.type) {
    case 'none':
    case 'signed':
      return { ok: true, credentials: current };
    case 'basic':
      return {
        ok: true,
        credentials: {
          type: 'basic',
          username: patch.username ?? current.username,
          password: patch.password ?? current.password,
        },
      };
    case 'bearer':
      return { ok: true, credentials: { type: 'bearer', token: patch.token ?? current.token } };
    case 'oauth2':
      return {
        ok: true,
        credentials: withoutUndefined({
          type: 'oauth2',
          tokenUrl: patch.tokenUrl ?? current.tokenUrl,
          clientId: patch.clientId ?? current.clientId,
          clientSecret: patch.clientSecret ?? current.clientSecret,
          scope: patch.scope === null ? undefined : (patch.scope ?? current.scope),
          audience: patch.audience === null ? undefined : (patch.audience ?? current.audience),
        }),
      };
  }
}
