import { randomUUID } from 'node:crypto';
import { createConnection } from './admin-api';
import { publish } from './kafka';
import { connectionChangeCounts, waitForConnectionChanges } from './services';

/** Creates a connection and waits until every caching service has it. */
export async function connect(project: string, settings: Record<string, unknown>) {
  const before = await connectionChangeCounts();
  const connection = await createConnection(project, settings);
  await waitForConnectionChanges(before);
  return connection;
}

/** Publishes message events of one project and channel; returns the profile id used as key. */
export async function publishMessageEvents(
  project: string,
  events: string[],
  { channel = 'email', profile = `p-${randomUUID()}` } = {},
): Promise<string> {
  await publish(
    'campaign.message-events',
    events.map((event, index) => ({
      key: profile,
      value: JSON.stringify({
        event,
        time: 1764201600 + index,
        project_id: project,
        properties: {
          message_type: channel,
          campaign_id: `c-${index}`,
          profile_id: profile,
          email: 'jane@example.com',
        },
      }),
    })),
  );
  return profile;
}
