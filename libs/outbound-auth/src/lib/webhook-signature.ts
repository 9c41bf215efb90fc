import { createHmac } from 'node:crypto';
import type { Credentials } from '@campaign-webhooks/contracts';
import { signingKey } from './signing-key';

export type SignedCredentials = Extract<Credentials, { type: 'signed' }>;

export interface WebhookToSign {
  /** `whsec_<base64>` secrets; one signature each. */
  secrets: readonly string[];
  /** The `webhook-id` header. */
  id: string;
  /** The `webhook-timestamp` header: UNIX seconds. */
  timestamp: number;
  body: Buffer | string;
}

/**
 * The `webhook-signature` header of the Standard Webhooks specification: `v1,<base64 HMAC-SHA256>`
 * of `{id}.{timestamp}.{body}` per secret, space-separated. Receivers accept the request when any
 * signature matches a secret they know, which is what lets a secret be rotated without downtime.
 */
export function signWebhook({ secrets, id, timestamp, body }: WebhookToSign): string {
  if (secrets.length === 0) {
    throw new TypeError('at least one signing secret is needed');
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('the webhook timestamp must be whole UNIX seconds');
  }
  const signedPrefix = `${id}.${timestamp}.`;
  let header = '';
  for (const secret of secrets) {
    const signature = createHmac('sha256', signingKey(secret))
      .update(signedPrefix)
      .update(body)
      .digest('base64');
    header = header === '' ? `v1,${signature}` : `${header} v1,${signature}`;
  }
  return header;
}

/**
 * The secrets to sign with at `now` (epoch milliseconds): the current one, and after a rotation
 * the previous one too until `previousSecretExpiresAt`. An unreadable expiry counts as expired.
 */
export function activeSigningSecrets(credentials: SignedCredentials, now: number): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = credentials;
  if (
    previousSecret === undefined ||
    previousSecret === secret ||
    previousSecretExpiresAt === undefined ||
    !(Date.parse(previousSecretExpiresAt) > now)
  ) {
    return [secret];
  }
  return [secret, previousSecret];
}
