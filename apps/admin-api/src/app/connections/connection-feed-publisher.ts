import type { ConnectionSnapshot, TopicNames } from '@campaign-webhooks/contracts';
import { PipelineRuntime } from '@campaign-webhooks/kafka';
import type { ConnectionEntity } from '@campaign-webhooks/persistence';

/** Publishes every connection change on the compacted change feed the pipeline caches from. */
export class ConnectionFeedPublisher {
  constructor(
    private readonly runtime: PipelineRuntime,
    private readonly topics: TopicNames,
  ) {}

  publish(connection: ConnectionEntity): Promise<void> {
    return this.runtime.producer.send([
      { topic: this.topics.connections, key: connection.id, value: JSON.stringify(toSnapshot(connection)) },
    ]);
  }

  publishDeletion(id: string): Promise<void> {
    return this.runtime.producer.send([{ topic: this.topics.connections, key: id, value: null }]);
  }
}

export function toSnapshot(connection: ConnectionEntity): ConnectionSnapshot {
  return {
    id: connection.id,
    project_id: connection.projectId,
    name: connection.name,
    url: connection.url,
    auth_type: connection.authType as ConnectionSnapshot['auth_type'],
    credentials: connection.credentials,
    message_events: connection.messageEvents as ConnectionSnapshot['message_events'],
    channels: connection.channels as ConnectionSnapshot['channels'],
    subscription_events: connection.subscriptionEvents as ConnectionSnapshot['subscription_events'],
    exclude_integration_sources: connection.excludeIntegrationSources,
    require_external_message_id: connection.requireExternalMessageId,
    use_static_ip: connection.useStaticIp,
    notify_on_error_email: connection.notifyOnErrorEmail,
    active: connection.active,
    templates: connection.templates,
    version: connection.version,
    updated_at: connection.updatedAt.toISOString(),
  };
}
