import { randomUUID } from 'node:crypto';
import { connect, publishMessageEvents } from '../support/connections';
import { disconnectProducer, publish, TopicTap } from '../support/kafka';
import { Receiver } from '../support/receiver';

type Json = Record<string, any>;

function subscriptionEvent(event: string, profile: string, source: string, extra: Json = {}) {
  return {
    event,
    time: 1764201600,
    project_id: 'acme',
    properties: {
      profile_id: profile,
      user_id: 'user-42',
      email: 'jane@example.com',
      channel: 'email',
      preference: event.startsWith('preference') ? 'newsletter' : null,
      source,
      integration_id: source === 'integration' ? 'crm-1' : null,
      ...extra,
    },
  };
}

describe('matching rules through the pipeline', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });
  afterAll(() => disconnectProducer());

  async function receiver() {
    const started = await Receiver.start();
    receivers.push(started);
    return started;
  }

  it('fans one event out to every matching connection of the project', async () => {
    const [first, second] = [await receiver(), await receiver()];
    const settings = { auth: { type: 'none' }, messageEvents: ['message_unsubscribe'], channels: ['onsite'] };
    await connect('acme', { ...settings, name: 'first', url: first.url });
    await connect('acme', { ...settings, name: 'second', url: second.url });
    const profile = await publishMessageEvents('acme', ['message_unsubscribe'], { channel: 'onsite' });
    const [[a], [b]] = [await first.waitFor(1), await second.waitFor(1)];
    expect(a.body).toBe(b.body);
    expect(JSON.parse(a.body).properties.profile_id).toBe(profile);
    expect(a.headers['webhook-id']).not.toBe(b.headers['webhook-id']);
  });

  it('delivers each selected subscription event as the contract default body, leaving out integration changes when asked', async () => {
    const endpoint = await receiver();
    await connect('acme', {
      name: 'subscriptions',
      url: endpoint.url,
      auth: { type: 'none' },
      messageEvents: [],
      channels: [],
      subscriptionEvents: ['message_opt_in', 'message_opt_out', 'preference_opt_in', 'preference_opt_out'],
      excludeIntegrationSources: true,
    });
    const profile = `p-${randomUUID()}`;
    const records = [
      subscriptionEvent('message_opt_out', profile, 'integration'),
      subscriptionEvent('message_opt_in', profile, 'ui'),
      subscriptionEvent('message_opt_out', profile, 'email_unsubscribe_header'),
      subscriptionEvent('preference_opt_in', profile, 'preference_center'),
      subscriptionEvent('preference_opt_out', profile, 'sdk'),
    ];
    await publish(
      'campaign.subscription-events',
      records.map((record) => ({ key: profile, value: JSON.stringify(record) })),
    );

    const requests = await endpoint.waitFor(4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(requests).toHaveLength(4);
    const expected = records.slice(1).map(({ event, time, properties }) => {
      const { profile_id, user_id, email, channel, preference, source } = properties;
      return JSON.stringify({
        event,
        time,
        properties: { profile_id, user_id, email, channel, preference, source },
      });
    });
    expect(requests.map((request) => request.body).sort()).toEqual(expected.sort());
  });

  it('skips an event without external_message_id when the connection requires one, with a skipped outcome', async () => {
    const endpoint = await receiver();
    const outcomes = await TopicTap.open('webhooks.outcomes');
    try {
      const connection = await connect('acme', {
        name: 'needs external id',
        url: endpoint.url,
        auth: { type: 'none' },
        messageEvents: ['message_click'],
        channels: ['web_push'],
        requireExternalMessageId: true,
      });
      const profile = `p-${randomUUID()}`;
      const event = (external: string | null) => ({
        event: 'message_click',
        time: 1764201600,
        project_id: 'acme',
        properties: { message_type: 'web_push', profile_id: profile, external_message_id: external },
      });
      await publish('campaign.message-events', [
        { key: profile, value: JSON.stringify(event(null)) },
        { key: profile, value: JSON.stringify(event('ext-1')) },
      ]);
      const [request] = await endpoint.waitFor(1);
      expect(JSON.parse(request.body).properties.external_message_id).toBe('ext-1');
      const [skipped] = await outcomes.waitFor<Json>(
        1,
        (outcome) => outcome['connection_id'] === connection.id && outcome['status'] === 'skipped',
      );
      expect(skipped).toMatchObject({ error: 'external_message_id_missing', attempt: 0, project_id: 'acme' });
      expect(endpoint.requests).toHaveLength(1);
    } finally {
      await outcomes.close();
    }
  });

  it('skips events it does not know without dead-lettering them', async () => {
    const endpoint = await receiver();
    const deadLetters = await TopicTap.open('webhooks.dead-letter');
    try {
      await connect('acme', {
        name: 'known only',
        url: endpoint.url,
        auth: { type: 'none' },
        messageEvents: ['message_dismiss'],
        channels: ['inbox'],
      });
      const profile = await publishMessageEvents('acme', ['message_bounced_in_future', 'message_dismiss'], {
        channel: 'inbox',
      });
      const [request] = await endpoint.waitFor(1);
      expect(JSON.parse(request.body).event).toBe('message_dismiss');
      expect(deadLetters.records.filter((record) => record.key === profile)).toEqual([]);
    } finally {
      await deadLetters.close();
    }
  });
});
