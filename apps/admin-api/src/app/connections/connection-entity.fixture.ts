import type { ConnectionEntity } from '@campaign-webhooks/persistence';

/** A stored connection for specs: active, no authentication, unless `overrides` say otherwise. */
export function connectionEntity(overrides: Partial<ConnectionEntity> = {}): ConnectionEntity {
  return {
    id: '6f1c2b7e-2d0a-4c57-9a55-0d3c8a1b2c3d',
    projectId: 'acme',
    name: 'CRM sync',
    url: 'https://hooks.example.com/xp',
    authType: 'none',
    credentials: null,
    messageEvents: ['message_send'],
    channels: ['email'],
    subscriptionEvents: [],
    excludeIntegrationSources: false,
    requireExternalMessageId: false,
    useStaticIp: false,
    notifyOnErrorEmail: null,
    active: true,
    templates: {},
    version: 3,
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    updatedAt: new Date('2026-01-02T00:00:00.000Z'),
    ...overrides,
  };
}
