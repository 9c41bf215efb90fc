import { randomUUID } from 'node:crypto';
import { asProject, deleteConnections } from '../support/admin-api';
import { disconnectProducer, publish } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { connectionChangeCounts, waitForConnectionChanges } from '../support/services';

const acme = asProject('acme');
const SETTLE_MS = 1000;

function clickEvent(channel: string, profile: string, campaign: string) {
  return {
    event: 'message_click',
    time: 1764201600,
    project_id: 'acme',
    properties: {
      message_type: channel,
      campaign_id: campaign,
      profile_id: profile,
      user_id: 'user-42',
      email: 'jane@example.com',
    },
  };
}

/** Publishes events in order on one key, so they share a partition and are consumed in that order. */
async function publishInOrder(profile: string, ...events: object[]) {
  await publish(
    'campaign.message-events',
    events.map((event) => ({ key: profile, value: JSON.stringify(event) })),
  );
}

function channelsOf(receiver: Receiver): string[] {
  return receiver.requests.map((request) => JSON.parse(request.body).properties.message_type);
}

function campaignsOf(receiver: Receiver): string[] {
  return receiver.requests.map((request) => JSON.parse(request.body).properties.campaign_id);
}

/**
 * Each test has a connection under test and a control connection that matches every event sent. The
 * events that must not reach the connection under test go first, then one the control gets, on the
 * same key: when the control has it, the earlier ones have been through the pipeline too.
 */
describe('a change through the admin API reaches the pipeline', () => {
  const created: string[] = [];
  const receivers: Receiver[] = [];

  async function connection(name: string, channels: string[]) {
    const receiver = await Receiver.start();
    receivers.push(receiver);
    const response = await acme('POST', '/v1/connections', {
      body: { name, url: receiver.url, auth: { type: 'none' }, messageEvents: ['message_click'], channels },
    });
    expect(response.status).toBe(201);
    created.push(response.body.id);
    return { id: response.body.id as string, receiver };
  }

  /** The connection under test and the control, both applied by every caching service. */
  async function pair(channels: string[]) {
    const before = await connectionChangeCounts();
    const subject = await connection('subject', channels);
    const control = await connection('control', ['email', 'sms', 'push']);
    await waitForConnectionChanges(before, 2);
    return { subject, control };
  }

  async function change(method: string, path: string, body?: unknown) {
    const before = await connectionChangeCounts();
    const response = await acme(method, path, { body });
    expect(response.status).toBeLessThan(300);
    await waitForConnectionChanges(before);
    return response;
  }

  afterAll(async () => {
    await deleteConnections('acme', created);
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await disconnectProducer();
  });

  it('after a PATCH of channels, the next events follow the new channels', async () => {
    const { subject, control } = await pair(['email']);
    const profile = `p-${randomUUID()}`;
    await publishInOrder(profile, clickEvent('email', profile, 'before'));
    await subject.receiver.waitFor(1);

    await change('PATCH', `/v1/connections/${subject.id}`, { channels: ['sms'] });
    await publishInOrder(profile, clickEvent('email', profile, 'after'), clickEvent('sms', profile, 'after'));

    await control.receiver.waitFor(3);
    await subject.receiver.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(channelsOf(subject.receiver)).toEqual(['email', 'sms']);
    expect(campaignsOf(subject.receiver)).toEqual(['before', 'after']);
    expect(channelsOf(control.receiver)).toEqual(['email', 'email', 'sms']);
  });

  it('after a PATCH of the URL, the next events go to the new URL', async () => {
    const { subject, control } = await pair(['email']);
    const moved = await Receiver.start();
    receivers.push(moved);
    const profile = `p-${randomUUID()}`;

    await change('PATCH', `/v1/connections/${subject.id}`, { url: moved.url });
    await publishInOrder(profile, clickEvent('email', profile, 'moved'));

    await control.receiver.waitFor(1);
    await moved.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(subject.receiver.requests).toHaveLength(0);
    expect(campaignsOf(moved)).toEqual(['moved']);
  });

  it('after deactivate nothing is sent, and after activate sending resumes', async () => {
    const { subject, control } = await pair(['email']);
    const profile = `p-${randomUUID()}`;

    const deactivated = await change('POST', `/v1/connections/${subject.id}/deactivate`);
    expect(deactivated.body.active).toBe(false);
    await publishInOrder(
      profile,
      clickEvent('email', profile, 'while inactive'),
      clickEvent('push', profile, 'control'),
    );

    await control.receiver.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(subject.receiver.requests).toHaveLength(0);

    await change('POST', `/v1/connections/${subject.id}/activate`);
    await publishInOrder(profile, clickEvent('email', profile, 'active again'));

    await subject.receiver.waitFor(1);
    expect(campaignsOf(subject.receiver)).toEqual(['active again']);
  });

  it('after delete nothing is sent', async () => {
    const { subject, control } = await pair(['email']);
    const profile = `p-${randomUUID()}`;
    await publishInOrder(profile, clickEvent('email', profile, 'before delete'));
    await subject.receiver.waitFor(1);

    await change('DELETE', `/v1/connections/${subject.id}`);
    await publishInOrder(
      profile,
      clickEvent('email', profile, 'after delete'),
      clickEvent('push', profile, 'control'),
    );

    await control.receiver.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(campaignsOf(subject.receiver)).toEqual(['before delete']);
    expect(campaignsOf(control.receiver)).toEqual(['before delete', 'after delete', 'control']);
  });
});
