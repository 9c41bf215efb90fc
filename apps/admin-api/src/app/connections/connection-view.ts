import type { Credentials } from '@campaign-webhooks/contracts';
import type { ConnectionEntity } from '@campaign-webhooks/persistence';
import { authView } from './connection-credentials';
import type { ConnectionViewDto } from './connection-view.dto';

/** A connection as the API answers it: every setting, and of the credentials only what `authView` shows. */
export function connectionView(
  connection: ConnectionEntity,
  credentials: Credentials,
  now: Date,
): ConnectionViewDto {
  return {
    id: connection.id,
    name: connection.name,
    url: connection.url,
    auth: authView(credentials, now),
    messageEvents: connection.messageEvents,
    channels: connection.channels,
    subscriptionEvents: connection.subscriptionEvents,
    excludeIntegrationSources: connection.excludeIntegrationSources,
    requireExternalMessageId: connection.requireExternalMessageId,
    useStaticIp: connection.useStaticIp,
    notifyOnErrorEmail: connection.notifyOnErrorEmail,
    active: connection.active,
    version: connection.version,
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
