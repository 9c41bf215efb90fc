import { DELIVERY_HEADERS } from '@campaign-webhooks/contracts';
import { deleteConnections } from '../support/admin-api';
import { disconnectProducer, TopicTap } from '../support/kafka';
import { connect, publishMessageEvents } from '../support/connections';
import { Receiver } from '../support/receiver';
import { metricValue } from '../support/services';

// npm test runs delivery with DELIVERY_TIMEOUT_MS=1500 and BREAKER_RESET_MS=3000.
describe('a dead endpoint beside a healthy one', () => {
  let dead: Receiver;
  let healthy: Receiver;
  let alerts: TopicTap;
  let outcomes: TopicTap;

  beforeAll(async () => {
    dead = await Receiver.start();
    healthy = await Receiver.start();
    dead.behave(() => ({ status: 0, hang: true }));
    alerts = await TopicTap.open('webhooks.alerts');
    outcomes = await TopicTap.open('webhooks.outcomes');
  });

  afterAll(async () => {
    await dead.close();
    await healthy.close();
    await alerts.close();
    await outcomes.close();
    await disconnectProducer();
  });

  it('keeps the healthy endpoint flowing while the dead one times out and its breaker opens', async () => {
    const settings = { auth: { type: 'none' }, messageEvents: ['message_dismiss'], channels: ['inapp'] };
    const deadConnection = await connect('acme', { ...settings, name: 'dead', url: dead.url });
    await connect('acme', { ...settings, name: 'healthy', url: healthy.url });

    // One profile key: every event goes through the same input partition, each to both connections.
    const events = Array.from({ length: 20 }, () => 'message_dismiss');
    await publishMessageEvents('acme', events, { channel: 'inapp' });

    const delivered = await healthy.waitFor(20, 20_000);
    const [firstTimeout] = await outcomes.waitFor<Record<string, any>>(
      1,
      (outcome) => outcome['connection_id'] === deadConnection.id,
    );
    expect(firstTimeout['error']).toMatch(/^timeout/);
    // All twenty reached the healthy endpoint before the dead one's first attempt had even ended.
    expect(delivered[19].receivedAt).toBeLessThanOrEqual(Date.parse(firstTimeout['time']));

    const [opened] = await alerts.waitFor<Record<string, any>>(
      1,
      (alert) => alert['connection_id'] === deadConnection.id && alert['kind'] === 'circuit_open',
      20_000,
    );
    expect(opened['project_id']).toBe('acme');
    expect(await metricValue('delivery', 'webhooks_breakers_open')).toBeGreaterThanOrEqual(1);
    // The dead endpoint held only its own in-flight slots.
    expect(dead.requests.length).toBeLessThanOrEqual(20);
  });
});

// Delivery runs with its default lane: 8 requests in flight and 200 queued per connection.
describe('a slow endpoint whose lane overflows', () => {
  const answerAfterMs = 100;
  let slow: Receiver;
  let retries: TopicTap;
  let connectionId: string | undefined;

  beforeAll(async () => {
    slow = await Receiver.start();
    slow.behave(() => ({ status: 200, delayMs: answerAfterMs }));
    retries = await TopicTap.open('webhooks.retries');
  });

  afterAll(async () => {
    if (connectionId) await deleteConnections('acme', [connectionId]);
    await slow.close();
    await retries.close();
    await disconnectProducer();
  });

  it('parks what overflows until its queue has drained, and delivers every event once', async () => {
    const connection = await connect('acme', {
      name: 'slow',
      url: slow.url,
      auth: { type: 'none' },
      messageEvents: ['message_delivery'],
      channels: ['whatsapp'],
    });
    connectionId = connection.id;
    // A few first, so the lane knows the endpoint's pace before it overflows.
    await publishMessageEvents('acme', Array(8).fill('message_delivery'), { channel: 'whatsapp' });
    await slow.waitFor(8);
    await new Promise((resolve) => setTimeout(resolve, answerAfterMs * 2));

    const burst = 300;
    await publishMessageEvents('acme', Array(burst).fill('message_delivery'), { channel: 'whatsapp' });

    const parked = await retries.waitForRecords(
      1,
      (record) => record.headers[DELIVERY_HEADERS.connectionId] === connection.id,
      20_000,
    );
    // The queue of 200 takes about 200 x 100 ms / 8 = 2.5 s to drain, under the cap of the
    // breaker's reset time (3 s under npm test). A record parked for a second would come back to a
    // queue still full, and be parked again and again.
    for (const record of parked) {
      expect(record.headers[DELIVERY_HEADERS.attempt]).toBe('1');
      const dueAt = record.headers[DELIVERY_HEADERS.dueAt];
      expect(dueAt).toMatch(/^\d+$/);
      expect(Number(dueAt) - record.timestamp).toBeGreaterThanOrEqual(2_000);
    }

    const requests = await slow.waitFor(8 + burst, 45_000);
    const ids = new Set(requests.map((request) => request.headers['webhook-id']));
    expect(ids.size).toBe(8 + burst);
  }, 60_000);
});
