import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
/** Sealed for a context, authenticated as associated data. */
const FORMAT_VERSION = 'v2';
/** Sealed without a context, before values had one: still opened, for any context. */
const CONTEXTLESS_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Authenticated encryption of credentials at rest (AES-256-GCM, random 96-bit IV per value).
 * Sealed form: `v2.<iv>.<ciphertext>.<tag>`, each part base64url.
 *
 * Each value is sealed for a context, the row it belongs to, which GCM authenticates with it: a
 * value copied into another row, or another project's, does not open there, so write access to
 * the table alone cannot send one connection's credentials to another connection's endpoint.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new Error(`SecretBox needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
    }
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${FORMAT_VERSION}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${tag.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const { version, iv, ciphertext, tag } = splitSealed(sealed);
    const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    if (version === FORMAT_VERSION) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed secret failed authentication: wrong key, another context, or tampered data');
    }
  }

  sealJson(value: unknown, context: string): string {
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new Error('sealJson needs a JSON-serialisable value');
    }
    return this.seal(json, context);
  }

  openJson<T = unknown>(sealed: string, context: string): T {
    return JSON.parse(this.open(sealed, context)) as T;
  }
}

function splitSealed(sealed: string): { version: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const parts = sealed.split('.');
  const [version, ivText, ciphertextText, tagText] = parts;
  if (parts.length !== 4 || (version !== FORMAT_VERSION && version !== CONTEXTLESS_VERSION)) {
    throw new Error(`sealed secret is malformed: expected ${FORMAT_VERSION}.<iv>.<ciphertext>.<tag>`);
  }
  if (!BASE64URL.test(ivText) || !BASE64URL.test(ciphertextText) || !BASE64URL.test(tagText)) {
    throw new Error('sealed secret is malformed: parts must be base64url');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error(`sealed secret is malformed: expected a ${IV_BYTES}-byte iv and a ${TAG_BYTES}-byte tag`);
  }
  return { version, iv, ciphertext: Buffer.from(ciphertextText, 'base64url'), tag };
}
