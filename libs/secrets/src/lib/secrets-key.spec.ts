import { randomBytes } from 'node:crypto';
import { parseSecretsKey } from './secrets-key';

describe('parseSecretsKey', () => {
  const key = randomBytes(32);

  it.each([
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
    ['hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
    ['base64 with surrounding whitespace', ` ${key.toString('base64')}\n`],
  ])('accepts a 32-byte key written as %s', (_form, value) => {
    expect(parseSecretsKey(value).equals(key)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short base64', randomBytes(16).toString('base64')],
    ['too long base64', randomBytes(48).toString('base64')],
    ['too short hex', randomBytes(31).toString('hex')],
    ['hex with a non-hex character', `${key.toString('hex').slice(0, 63)}g`],
    ['base64 with a foreign character', `${key.toString('base64').slice(0, 42)}!=`],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses %s with a one-line message that does not echo the value', (_case, value) => {
    let message = '';
    try {
      parseSecretsKey(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^secrets key must be 32 bytes/);
    expect(message).not.toContain('\n');
    if (value.length > 0) {
      expect(message).not.toContain(value);
    }
  });
});
