import type { Credentials } from '@campaign-webhooks/contracts';
import { generateSigningSecret } from './connection-credentials';

export type SignedCredentials = Extract<Credentials, { type: 'signed' }>;

/** How long the former secret keeps signing beside the new one, so receivers can switch over. */
export const PREVIOUS_SECRET_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * A new signing secret; the current one becomes the previous for 24 hours. A previous secret still
 * in its 24 hours is dropped: only the secret in force until now keeps signing beside the new one.
 */
export function rotateSigningSecret(
  current: SignedCredentials,
  now: Date,
  newSecret: () => string = generateSigningSecret,
): SignedCredentials {
  return {
    type: 'signed',
    secret: newSecret(),
    previousSecret: current.secret,
    previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_LIFETIME_MS).toISOString(),
  };
}
