import { randomUUID } from 'node:crypto';
import { createConnection } from '../support/admin-api';
import { disconnectProducer, publish, TopicTap } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { connectionChangeCounts, waitForConnectionChanges } from '../support/services';

const time = 1764201600;

function messageEvent(project: string, event: string, channel: string, profile: string, campaign: string) {
  return {
    event,
    time,
    project_id: project,
    properties: {
      message_type: channel,
      campaign_id: campaign,
      profile_id: profile,
      device_id: null,
      trigger_id: 't-991',
      error_message: null,
      user_id: 'user-42',
      email: 'jane@example.com',
      external_message_id: 'ext-7',
    },
  };
}

describe('a message event through every service', () => {
  let receiver: Receiver;
  let outcomes: TopicTap;

  beforeAll(async () => {
    receiver = await Receiver.start();
    outcomes = await TopicTap.open('webhooks.outcomes');
  });

  afterAll(async () => {
    await receiver.close();
    await outcomes.close();
    await disconnectProducer();
  });

  it('delivers exactly the matching events, as the default body, and reports each delivery', async () => {
    const before = await connectionChangeCounts();
    const connection = await createConnection('acme', {
      name: 'CRM sync',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_send', 'message_open'],
      channels: ['email'],
    });
    await waitForConnectionChanges(before);

    const campaign = randomUUID();
    const profile = `p-${randomUUID()}`;
    // One key keeps the four records in order on one partition: once the last matching one is
    // delivered, the two that must not match have been through the pipeline too.
    const records = [
      messageEvent('acme', 'message_send', 'sms', profile, campaign),
      messageEvent('globex', 'message_send', 'email', profile, campaign),
      messageEvent('acme', 'message_send', 'email', profile, campaign),
      messageEvent('acme', 'message_open', 'email', profile, campaign),
    ];
    await publish(
      'campaign.message-events',
      records.map((record) => ({ key: profile, value: JSON.stringify(record) })),
    );

    const requests = await receiver.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(requests).toHaveLength(2);

    const expectedBodies = [records[2], records[3]].map(({ event, time, properties }) =>
      JSON.stringify({ event, time, properties }),
    );
    expect(requests.map((request) => request.body).sort()).toEqual([...expectedBodies].sort());
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toMatch(/^campaign-webhooks\/\d+\.\d+\.\d+$/);
      expect(request.headers['webhook-id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const timestamp = Number(request.headers['webhook-timestamp']);
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    }

    const delivered = await outcomes.waitFor<Record<string, unknown>>(
      2,
      (outcome) => outcome['connection_id'] === connection.id,
    );
    expect(delivered).toHaveLength(2);
    for (const outcome of delivered) {
      expect(outcome).toMatchObject({
        project_id: 'acme',
        status: 'delivered',
        http_status: 200,
        attempt: 1,
        error: null,
      });
    }
    expect(delivered.map((outcome) => outcome['delivery_id']).sort()).toEqual(
      requests.map((request) => request.headers['webhook-id']).sort(),
    );
  });
});
