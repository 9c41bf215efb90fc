import { createSecretKey, type KeyObject } from 'node:crypto';

export const SIGNING_SECRET_PREFIX = 'whsec_';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_CACHED_KEYS = 10_000;
const cachedKeys = new Map<string, KeyObject>();

/**
 * The HMAC key of a `whsec_<base64>` secret, decoded once per secret: signing sits on the
 * delivery hot path. Oldest keys are evicted first once the cache is full.
 */
export function signingKey(secret: string): KeyObject {
  let key = cachedKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(decodeSigningSecret(secret));
    if (cachedKeys.size >= MAX_CACHED_KEYS) {
      cachedKeys.delete(cachedKeys.keys().next().value as string);
    }
    cachedKeys.set(secret, key);
  }
  return key;
}

/** The key bytes of a `whsec_<base64>` secret; the error never repeats the secret. */
export function decodeSigningSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SIGNING_SECRET_PREFIX) ? secret.slice(SIGNING_SECRET_PREFIX.length) : '';
  const key = Buffer.from(encoded, 'base64');
  if (!BASE64.test(encoded) || key.length === 0 || !isCanonicalBase64(encoded, key)) {
    throw new TypeError(`a signing secret must be "${SIGNING_SECRET_PREFIX}" followed by non-empty base64`);
  }
  return key;
}

function isCanonicalBase64(encoded: string, decoded: Buffer): boolean {
  return decoded.toString('base64').replace(/=+$/, '') === encoded.replace(/=+$/, '');
}
