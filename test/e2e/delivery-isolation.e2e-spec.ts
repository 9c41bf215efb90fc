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
