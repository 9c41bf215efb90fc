import type { Credentials } from '@campaign-webhooks/contracts';
import type { AuthSettings } from './connection-credentials';
import { patchCredentials } from './credentials-patch';

const basic: Credentials = { type: 'basic', username: 'crm', password: 'old-password' };
const bearer: Credentials = { type: 'bearer', token: 'old-token' };
const oauth2: Credentials = {
  type: 'oauth2',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'client-1',
  clientSecret: 'old-client-secret',
  scope: 'hooks',
  audience: 'api',
};
const signed: Credentials = {
  type: 'signed',
  secret: 'whsec_current',
  previousSecret: 'whsec_previous',
  previousSecretExpiresAt: '2026-01-11T00:00:00.000Z',
};

function patched(current: Credentials, patch: AuthSettings) {
  const result = patchCredentials(current, patch, () => 'whsec_generated');
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result;
}

function refused(current: Credentials, patch: AuthSettings) {
  const result = patchCredentials(current, patch, () => 'whsec_generated');
  if (result.ok) throw new Error('expected the patch to be refused');
  return result.errors;
}

describe('patchCredentials with the stored type', () => {
  it('keeps the stored password when only the username changes', () => {
    expect(patched(basic, { type: 'basic', username: 'crm-2' }).credentials).toEqual({
      type: 'basic',
      username: 'crm-2',
      password: 'old-password',
    });
  });

  it('replaces the password when it is given', () => {
    expect(patched(basic, { type: 'basic', password: 'new-password' }).credentials).toEqual({
      type: 'basic',
      username: 'crm',
      password: 'new-password',
    });
  });

  it('keeps everything when only the type is given', () => {
    expect(patched(basic, { type: 'basic' }).credentials).toEqual(basic);
    expect(patched(bearer, { type: 'bearer' }).credentials).toEqual(bearer);
    expect(patched(oauth2, { type: 'oauth2' }).credentials).toEqual(oauth2);
  });

  it('replaces a bearer token', () => {
    expect(patched(bearer, { type: 'bearer', token: 'new-token' }).credentials).toEqual({
      type: 'bearer',
      token: 'new-token',
    });
  });

  it('keeps the oauth2 client secret when other fields change, and clears scope given as null', () => {
    expect(
      patched(oauth2, {
        type: 'oauth2',
        clientId: 'client-2',
        scope: null,
        tokenUrl: 'https://auth2.example.com/t',
      }).credentials,
    ).toEqual({
      type: 'oauth2',
      tokenUrl: 'https://auth2.example.com/t',
      clientId: 'client-2',
      clientSecret: 'old-client-secret',
      audience: 'api',
    });
  });

  it('leaves a signing secret and its previous secret alone: they change only by rotation', () => {
    const result = patched(signed, { type: 'signed' });

    expect(result.credentials).toEqual(signed);
    expect(result.generatedSecret).toBeUndefined();
  });

  it('refuses fields the type does not use', () => {
    expect(refused(bearer, { type: 'bearer', password: 'p' })).toEqual([
      { field: 'auth.password', message: 'auth.password is not used by auth type bearer' },
    ]);
  });
});

describe('patchCredentials to another type', () => {
  it('needs every required field of the new type, naming each one missing', () => {
    expect(refused(bearer, { type: 'oauth2', tokenUrl: 'https://auth.example.com/token' })).toEqual([
      {
        field: 'auth.clientId',
        message: 'auth.clientId is required to change auth type from bearer to oauth2',
      },
      {
        field: 'auth.clientSecret',
        message: 'auth.clientSecret is required to change auth type from bearer to oauth2',
      },
    ]);
    expect(refused({ type: 'none' }, { type: 'basic', username: 'crm' })).toEqual([
      { field: 'auth.password', message: 'auth.password is required to change auth type from none to basic' },
    ]);
  });

  it('carries nothing over from the former type', () => {
    expect(patched(basic, { type: 'bearer', token: 'token-2' }).credentials).toEqual({
      type: 'bearer',
      token: 'token-2',
    });
    expect(patched(signed, { type: 'none' }).credentials).toEqual({ type: 'none' });
  });

  it('generates a signing secret on a change to signed, and says which one', () => {
    const result = patched(bearer, { type: 'signed' });

    expect(result.credentials).toEqual({ type: 'signed', secret: 'whsec_generated' });
    expect(result.generatedSecret).toBe('whsec_generated');
  });
});
