import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

function flipByteIn(sealed: string, partIndex: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[partIndex], 'base64url');
  bytes[0] ^= 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

/** A value as sealed before values had a context: AES-256-GCM without associated data. */
function sealedWithoutContext(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

const CONTEXT = 'connection:acme:c-1';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it.each(['s3cr3t-password', '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)])('round-trips %p', (plaintext) => {
    expect(box.open(box.seal(plaintext, CONTEXT), CONTEXT)).toBe(plaintext);
  });

  it('writes v2.<iv>.<ciphertext>.<tag> with a 12-byte iv and a 16-byte tag', () => {
    const [version, iv, ciphertext, tag] = box.seal('hello', CONTEXT).split('.');
    expect(version).toBe('v2');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(5);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(`${iv}${ciphertext}${tag}`).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('uses a fresh iv for every seal', () => {
    const sealed = new Set(Array.from({ length: 50 }, () => box.seal('same value', CONTEXT)));
    expect(sealed.size).toBe(50);
  });

  it('never puts the plaintext, or its base64, in the sealed value', () => {
    const plaintext = 'Bearer my-very-recognisable-token-0123456789';
    const sealed = box.seal(plaintext, CONTEXT);
    expect(sealed).not.toContain(plaintext);
    expect(sealed).not.toContain(Buffer.from(plaintext).toString('base64url').slice(0, 16));
    expect(sealed).not.toContain(Buffer.from(plaintext).toString('base64').slice(0, 16));
  });

  it.each([
    ['iv', 1],
    ['ciphertext', 2],
    ['tag', 3],
  ])('detects a tampered %s', (_part, partIndex) => {
    const tampered = flipByteIn(box.seal('top secret', CONTEXT), partIndex);
    expect(() => box.open(tampered, CONTEXT)).toThrow(
      'sealed secret failed authentication: wrong key, another context, or tampered data',
    );
  });

  it('detects a ciphertext that was cut short', () => {
    const [version, iv, ciphertext, tag] = box.seal('top secret', CONTEXT).split('.');
    const shorter = Buffer.from(ciphertext, 'base64url').subarray(1).toString('base64url');
    expect(() => box.open([version, iv, shorter, tag].join('.'), CONTEXT)).toThrow(/failed authentication/);
  });

  it('refuses to open with the wrong key', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal('top secret', CONTEXT), CONTEXT)).toThrow(
      /wrong key, another context, or tampered data/,
    );
  });

  it.each([
    ['not sealed at all', 'plain text'],
    ['an unknown version', box.seal('x', CONTEXT).replace(/^v2\./, 'v3.')],
    ['a missing part', box.seal('x', CONTEXT).split('.').slice(0, 3).join('.')],
    ['non-base64url characters', box.seal('x', CONTEXT).replace(/\.(?=[^.]*$)/, '.+/')],
    ['a short iv', `v2.AAAA.${box.seal('x', CONTEXT).split('.').slice(2).join('.')}`],
  ])('refuses %s as malformed', (_case, sealed) => {
    expect(() => box.open(sealed, CONTEXT)).toThrow(/^sealed secret is malformed/);
  });

  it.each([
    ['another connection', 'connection:acme:c-2'],
    ['the same connection id in another project', 'connection:globex:c-1'],
  ])('opens a value only for the context it was sealed for, not %s', (_case, otherContext) => {
    const sealed = box.seal('top secret', CONTEXT);
    expect(() => box.open(sealed, otherContext)).toThrow(/another context/);
  });

  it('still opens a value sealed before values had a context, whatever the context', () => {
    const sealed = sealedWithoutContext(key, 'legacy secret');
    expect(box.open(sealed, CONTEXT)).toBe('legacy secret');
    expect(() => new SecretBox(randomBytes(32)).open(sealed, CONTEXT)).toThrow(/failed authentication/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('SecretBox needs a 32-byte key, got 16 bytes');
  });

  it('round-trips JSON values', () => {
    const credentials = {
      type: 'oauth2',
      clientId: 'abc',
      clientSecret: 's3cr3t',
      scopes: ['a', 'b'],
      expiresIn: 3600,
    };
    const sealed = box.sealJson(credentials, CONTEXT);
    expect(sealed).not.toContain('s3cr3t');
    expect(box.openJson<typeof credentials>(sealed, CONTEXT)).toEqual(credentials);
  });

  it('refuses to seal a value JSON cannot represent', () => {
    expect(() => box.sealJson(undefined, CONTEXT)).toThrow('sealJson needs a JSON-serialisable value');
  });
});
