import { PREVIOUS_SECRET_LIFETIME_MS, rotateSigningSecret } from './secret-rotation';

describe('rotateSigningSecret', () => {
  const now = new Date('2026-01-10T12:00:00.000Z');

  it('puts a new secret in force and keeps the current one signing for 24 hours', () => {
    const rotated = rotateSigningSecret({ type: 'signed', secret: 'whsec_first' }, now, () => 'whsec_second');

    expect(rotated).toEqual({
      type: 'signed',
      secret: 'whsec_second',
      previousSecret: 'whsec_first',
      previousSecretExpiresAt: '2026-01-11T12:00:00.000Z',
    });
    expect(PREVIOUS_SECRET_LIFETIME_MS).toBe(24 * 60 * 60 * 1000);
  });

  it('drops a previous secret still in its 24 hours: only the secret in force until now keeps signing', () => {
    const once = rotateSigningSecret({ type: 'signed', secret: 'whsec_first' }, now, () => 'whsec_second');
    const later = new Date(now.getTime() + 60 * 60 * 1000);

    const twice = rotateSigningSecret(once, later, () => 'whsec_third');

    expect(twice).toEqual({
      type: 'signed',
      secret: 'whsec_third',
      previousSecret: 'whsec_second',
      previousSecretExpiresAt: '2026-01-11T13:00:00.000Z',
    });
    expect(JSON.stringify(twice)).not.toContain('whsec_first');
  });

  it('generates a whsec_ secret when none is given', () => {
    const rotated = rotateSigningSecret({ type: 'signed', secret: 'whsec_first' }, now);

    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe('whsec_first');
  });
});
