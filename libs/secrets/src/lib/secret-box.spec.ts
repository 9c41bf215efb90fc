import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

function flipByteIn(sealed: string, partIndex: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[partIndex], 'base64url');
  bytes[0] ^= 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it.each(['s3cr3t-password', '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)])('round-trips %p', (plaintext) => {
    expect(box.open(box.seal(plaintext))).toBe(plaintext);
  });

  it('writes v1.<iv>.<ciphertext>.<tag> with a 12-byte iv and a 16-byte tag', () => {
    const [version, iv, ciphertext, tag] = box.seal('hello').split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(5);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(`${iv}${ciphertext}${tag}`).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('uses a fresh iv for every seal', () => {
    const sealed = new Set(Array.from({ length: 50 }, () => box.seal('same value')));
    expect(sealed.size).toBe(50);
  });

  it('never puts the plaintext, or its base64, in the sealed value', () => {
    const plaintext = 'Bearer my-very-recognisable-token-0123456789';
    const sealed = box.seal(plaintext);
    expect(sealed).not.toContain(plaintext);
    expect(sealed).not.toContain(Buffer.from(plaintext).toString('base64url').slice(0, 16));
    expect(sealed).not.toContain(Buffer.from(plaintext).toString('base64').slice(0, 16));
  });

  it.each([
    ['iv', 1],
    ['ciphertext', 2],
    ['tag', 3],
  ])('detects a tampered %s', (_part, partIndex) => {
    const tampered = flipByteIn(box.seal('top secret'), partIndex);
    expect(() => box.open(tampered)).toThrow(
      'sealed secret failed authentication: wrong key or tampered data',
    );
  });

  it('detects a ciphertext that was cut short', () => {
    const [version, iv, ciphertext, tag] = box.seal('top secret').split('.');
    const shorter = Buffer.from(ciphertext, 'base64url').subarray(1).toString('base64url');
    expect(() => box.open([version, iv, shorter, tag].join('.'))).toThrow(/failed authentication/);
  });

  it('refuses to open with the wrong key', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal('top secret'))).toThrow(/wrong key or tampered data/);
  });

  it.each([
    ['not sealed at all', 'plain text'],
    ['an unknown version', box.seal('x').replace(/^v1\./, 'v2.')],
    ['a missing part', box.seal('x').split('.').slice(0, 3).join('.')],
    ['non-base64url characters', box.seal('x').replace(/\.(?=[^.]*$)/, '.+/')],
    ['a short iv', `v1.AAAA.${box.seal('x').split('.').slice(2).join('.')}`],
  ])('refuses %s as malformed', (_case, sealed) => {
    expect(() => box.open(sealed)).toThrow(/^sealed secret is malformed/);
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
    const sealed = box.sealJson(credentials);
    expect(sealed).not.toContain('s3cr3t');
    expect(box.openJson<typeof credentials>(sealed)).toEqual(credentials);
  });

  it('refuses to seal a value JSON cannot represent', () => {
    expect(() => box.sealJson(undefined)).toThrow('sealJson needs a JSON-serialisable value');
  });
});
