const KEY_BYTES = 32;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * Decodes a 32-byte AES-256 key written as base64 (44 characters, base64url accepted) or as
 * 64 hex characters. The error message never echoes the value: it is a secret.
 */
export function parseSecretsKey(value: string): Buffer {
  const text = value.trim();
  if (HEX_KEY.test(text)) {
    return Buffer.from(text, 'hex');
  }
  if (BASE64_KEY.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === KEY_BYTES) {
      return key;
    }
  }
  throw new Error(
    `secrets key must be ${KEY_BYTES} bytes written as base64 (44 characters) or hex (64 characters); ` +
      `got ${text.length} characters (generate one with: openssl rand -base64 32)`,
  );
}
