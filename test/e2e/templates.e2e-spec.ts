import { randomUUID } from 'node:crypto';
import { adminRequest, apiKeys } from '../support/admin-api';
import { connect } from '../support/connections';
import { disconnectProducer, publish } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { connectionChangeCounts, metricValue, waitForConnectionChanges } from '../support/services';

describe('custom templates', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await disconnectProducer();
  });

  it('render typed and interpolated placeholders with profile attributes, and reset to the default body', async () => {
    const profile = `p-${randomUUID()}`;
    const profilesBefore = await metricValue('renderer', 'webhooks_records_consumed_total', {
      topic: 'campaign.profiles',
    });
    await publish('campaign.profiles', [
      {
        key: profile,
        value: JSON.stringify({
          project_id: 'acme',
          profile_id: profile,
          attributes: { first_name: 'Jane', tier: 3, vip: true },
          updated_at: 1764201600,
        }),
      },
    ]);

    const connection = await connect('acme', {
      name: 'templated',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_failure'],
      channels: ['sms'],
    });
    const template = {
      kind: '{{event}}',
      who: '{{profile.first_name}}',
      tier: '{{profile.tier}}',
      vip: '{{profile.vip}}',
      missing: '{{profile.favourite_colour}}',
      greeting: 'Hi {{profile.first_name}}, from {{connection_name}}',
      at: '{{time}}',
      why: '{{error_message}}',
      project: '{{project_id}}',
    };
    const before = await connectionChangeCounts();
    const saved = await adminRequest('PUT', `/v1/connections/${connection.id}/templates/message_failure`, {
      key: apiKeys['acme'],
      body: { template },
    });
    expect(saved.status).toBe(200);
    await waitForConnectionChanges(before);
    // Keys keep the order they were written in, through the database: reading the template back,
    // and after another change republishes the connection from its stored row.
    const read = await adminRequest('GET', `/v1/connections/${connection.id}/templates/message_failure`, {
      key: apiKeys['acme'],
    });
    expect(Object.keys((read.body as { template: object }).template)).toEqual(Object.keys(template));
    const beforeOther = await connectionChangeCounts();
    const other = await adminRequest('PUT', `/v1/connections/${connection.id}/templates/message_send`, {
      key: apiKeys['acme'],
      body: { template: { sent: '{{event}}' } },
    });
    expect(other.status).toBe(200);
    await waitForConnectionChanges(beforeOther);
    for (;;) {
      const consumed = await metricValue('renderer', 'webhooks_records_consumed_total', {
        topic: 'campaign.profiles',
      });
      if (consumed > profilesBefore) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const event = (errorMessage: string) => ({
      key: profile,
      value: JSON.stringify({
        event: 'message_failure',
        time: 1764201600,
        project_id: 'acme',
        properties: { message_type: 'sms', profile_id: profile, error_message: errorMessage },
      }),
    });
    await publish('campaign.message-events', [event('carrier said "no" {{email}}')]);
    const [first] = await receiver.waitFor(1);
    expect(Object.keys(JSON.parse(first.body))).toEqual(Object.keys(template));
    expect(JSON.parse(first.body)).toEqual({
      kind: 'message_failure',
      who: 'Jane',
      tier: 3,
      vip: true,
      missing: null,
      greeting: 'Hi Jane, from templated',
      at: 1764201600,
      why: 'carrier said "no" {{email}}',
      project: 'acme',
    });

    const beforeReset = await connectionChangeCounts();
    const reset = await adminRequest('DELETE', `/v1/connections/${connection.id}/templates/message_failure`, {
      key: apiKeys['acme'],
    });
    expect(reset.status).toBe(204);
    await waitForConnectionChanges(beforeReset);
    await publish('campaign.message-events', [event('second')]);
    const [, second] = await receiver.waitFor(2);
    expect(JSON.parse(second.body)).toEqual({
      event: 'message_failure',
      time: 1764201600,
      properties: {
        message_type: 'sms',
        campaign_id: null,
        profile_id: profile,
        device_id: null,
        trigger_id: null,
        error_message: 'second',
        user_id: null,
        email: null,
        external_message_id: null,
      },
    });
  });
});
