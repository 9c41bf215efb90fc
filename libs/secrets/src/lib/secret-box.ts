import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Authenticated encryption of credentials at rest (AES-256-GCM, random 96-bit IV per value).
 * Sealed form: `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new Error(`SecretBox needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
    }
    this.key = Buffer.from(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${FORMAT_VERSION}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${tag.toString('base64url')}`;
  }

  open(sealed: string): string {
    const { iv, ciphertext, tag } = splitSealed(sealed);
    const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed secret failed authentication: wrong key or tampered data');
    }
  }

  sealJson(value: unknown): string {
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new Error('sealJson needs a JSON-serialisable value');
    }
    return this.seal(json);
  }

  openJson<T = unknown>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}

function splitSealed(sealed: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT_VERSION) {
    throw new Error(`sealed secret is malformed: expected ${FORMAT_VERSION}.<iv>.<ciphertext>.<tag>`);
  }
  const [, ivText, ciphertextText, tagText] = parts;
  if (!BASE64URL.test(ivText) || !BASE64URL.test(ciphertextText) || !BASE64URL.test(tagText)) {
    throw new Error('sealed secret is malformed: parts must be base64url');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error(`sealed secret is malformed: expected a ${IV_BYTES}-byte iv and a ${TAG_BYTES}-byte tag`);
  }
  return { iv, ciphertext: Buffer.from(ciphertextText, 'base64url'), tag };
}
