import type { Credentials } from '@campaign-webhooks/contracts';
import type { ConnectionEntity } from '@campaign-webhooks/persistence';
import { connectionEntity } from './connection-entity.fixture';
import { connectionView } from './connection-view';

const now = new Date('2026-01-10T12:00:00.000Z');

function connection(credentials: Credentials): ConnectionEntity {
  return connectionEntity({
    authType: credentials.type,
    credentials: 'v1.sealed.ciphertext.tag',
    notifyOnErrorEmail: 'ops@example.com',
    templates: { message_send: { to: '{{email}}' } },
  });
}

describe('connectionView', () => {
  it.each<[string, Credentials, string[], Record<string, unknown>]>([
    [
      'basic',
      { type: 'basic', username: 'crm', password: 'basic-password-1' },
      ['basic-password-1'],
      { username: 'crm', passwordSet: true },
    ],
    ['bearer', { type: 'bearer', token: 'bearer-token-1' }, ['bearer-token-1'], { tokenSet: true }],
    [
      'oauth2',
      {
        type: 'oauth2',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
        scope: 'hooks',
      },
      ['client-secret-1'],
      {
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client-1',
        clientSecretSet: true,
        scope: 'hooks',
      },
    ],
    [
      'signed, after a rotation',
      {
        type: 'signed',
        secret: 'whsec_current-secret',
        previousSecret: 'whsec_previous-secret',
        previousSecretExpiresAt: '2026-01-11T12:00:00.000Z',
      },
      ['whsec_current-secret', 'whsec_previous-secret'],
      { secretSet: true, previousSecretExpiresAt: '2026-01-11T12:00:00.000Z' },
    ],
  ])('shows which %s secrets are set, never their values', (_type, credentials, secrets, auth) => {
    const view = connectionView(connection(credentials), credentials, now);

    const text = JSON.stringify(view);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('v1.sealed');
    expect(view.auth).toEqual({ type: credentials.type, ...auth });
  });

  it('carries every setting, the version and the timestamps, but not the stored credentials or templates', () => {
    const view = connectionView(connection({ type: 'none' }), { type: 'none' }, now);

    expect(view).toEqual({
      id: '6f1c2b7e-2d0a-4c57-9a55-0d3c8a1b2c3d',
      name: 'CRM sync',
      url: 'https://hooks.example.com/xp',
      auth: { type: 'none' },
      messageEvents: ['message_send'],
      channels: ['email'],
      subscriptionEvents: [],
      excludeIntegrationSources: false,
      requireExternalMessageId: false,
      useStaticIp: false,
      notifyOnErrorEmail: 'ops@example.com',
      active: true,
      version: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
  });
});
