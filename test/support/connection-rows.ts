import { randomUUID } from 'node:crypto';
import type { NewConnection } from '../../apps/admin-api/src/app/connections/connection-store';

/** A connection as the admin API's store takes it, with a fresh id: no authentication, active. */
export function newConnectionRow(projectId: string): NewConnection {
  return {
    id: randomUUID(),
    projectId,
    name: 'it',
    url: 'https://example.com/hook',
    authType: 'none',
    credentials: null,
    messageEvents: ['message_open'],
    channels: ['email'],
    subscriptionEvents: [],
    excludeIntegrationSources: false,
    requireExternalMessageId: false,
    useStaticIp: false,
    notifyOnErrorEmail: null,
    active: true,
    templates: {},
  };
}
