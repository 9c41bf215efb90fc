import { credentialsSchema } from '@campaign-webhooks/contracts';
import {
  authView,
  credentialsFrom,
  generateSigningSecret,
  misplacedAuthFields,
} from './connection-credentials';

const now = new Date('2026-01-10T12:00:00.000Z');

describe('generateSigningSecret', () => {
  it('makes a Standard Webhooks secret of 32 random bytes, different every time', () => {
    const secrets = new Set(Array.from({ length: 20 }, () => generateSigningSecret()));

    expect(secrets.size).toBe(20);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    }
  });
});

describe('credentialsFrom', () => {
  it('generates the secret of a signed connection', () => {
    expect(credentialsFrom({ type: 'signed' }, () => 'whsec_new')).toEqual({
      type: 'signed',
      secret: 'whsec_new',
    });
  });

  it('leaves out an oauth2 scope or audience given as null, so the stored credentials stay valid', () => {
    const credentials = credentialsFrom({
      type: 'oauth2',
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'client',
      clientSecret: 'client-secret',
      scope: null,
      audience: 'api',
    });

    expect(credentials).toEqual({
      type: 'oauth2',
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'client',
      clientSecret: 'client-secret',
      audience: 'api',
    });
    expect(credentialsSchema.safeParse(JSON.parse(JSON.stringify(credentials))).success).toBe(true);
  });
});

describe('misplacedAuthFields', () => {
  it('names each field the type does not use', () => {
    expect(misplacedAuthFields({ type: 'bearer', token: 't', username: 'u', clientSecret: 's' })).toEqual([
      { field: 'auth.username', message: 'auth.username is not used by auth type bearer' },
      { field: 'auth.clientSecret', message: 'auth.clientSecret is not used by auth type bearer' },
    ]);
  });

  it('accepts the fields of the type, and optional ones left out', () => {
    expect(misplacedAuthFields({ type: 'basic', username: 'u', password: 'p' })).toEqual([]);
    expect(
      misplacedAuthFields({
        type: 'oauth2',
        tokenUrl: 'https://a.example/t',
        clientId: 'c',
        clientSecret: 's',
      }),
    ).toEqual([]);
    expect(misplacedAuthFields({ type: 'signed' })).toEqual([]);
  });

  it('refuses a secret given for signed: signing secrets are only ever generated', () => {
    expect(misplacedAuthFields({ type: 'signed', token: 'mine' })).toEqual([
      { field: 'auth.token', message: 'auth.token is not used by auth type signed' },
    ]);
  });
});

describe('authView', () => {
  it('shows a previous signing secret only while it still signs', () => {
    const rotated = {
      type: 'signed' as const,
      secret: 'whsec_current',
      previousSecret: 'whsec_previous',
      previousSecretExpiresAt: '2026-01-11T00:00:00.000Z',
    };

    expect(authView(rotated, now)).toEqual({
      type: 'signed',
      secretSet: true,
      previousSecretExpiresAt: '2026-01-11T00:00:00.000Z',
    });
    expect(authView(rotated, new Date('2026-01-11T00:00:00.001Z'))).toEqual({
      type: 'signed',
      secretSet: true,
    });
  });
});
