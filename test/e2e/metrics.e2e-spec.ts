import { connect, publishMessageEvents } from '../support/connections';
import { disconnectProducer } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { metricValue, type ServiceName } from '../support/services';

type Probe = [ServiceName, string, Record<string, string>];

const probes: Record<string, Probe> = {
  consumed: ['subscription-filter', 'webhooks_records_consumed_total', { topic: 'campaign.message-events' }],
  matched: ['subscription-filter', 'webhooks_matches_total', { event: 'message_open', channel: 'onsite' }],
  rendered: ['renderer', 'webhooks_renders_total', { event: 'message_open', body: 'default' }],
  delivered: [
    'delivery',
    'webhooks_deliveries_total',
    { event: 'message_open', outcome: 'delivered', status_class: '2xx', auth_type: 'none' },
  ],
  outcomesProduced: ['delivery', 'webhooks_records_produced_total', { topic: 'webhooks.outcomes' }],
};

async function readAll(): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const [name, [service, metric, labels]] of Object.entries(probes)) {
    values[name] = await metricValue(service, metric, labels);
  }
  return values;
}

/**
 * A project no other suite sends these events to: the counters count every connection of the
 * project an event reaches, so another suite's connection there would count as well.
 */
const PROJECT = 'initech';

describe('metrics', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await disconnectProducer();
  });

  it('move by what a burst of events did', async () => {
    await connect(PROJECT, {
      name: 'metrics',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_open'],
      channels: ['onsite'],
    });
    const before = await readAll();
    await publishMessageEvents(
      PROJECT,
      Array.from({ length: 7 }, () => 'message_open'),
      { channel: 'onsite' },
    );
    await receiver.waitFor(7);
    // Outcomes are produced after the request is answered; give the counters a moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await readAll();
    expect({
      consumed: after['consumed'] - before['consumed'],
      matched: after['matched'] - before['matched'],
      rendered: after['rendered'] - before['rendered'],
      delivered: after['delivered'] - before['delivered'],
    }).toEqual({ consumed: 7, matched: 7, rendered: 7, delivered: 7 });
    expect(after['outcomesProduced'] - before['outcomesProduced']).toBeGreaterThanOrEqual(7);
  });

  it('report consumer lag per topic and partition from the pipeline services', async () => {
    for (const service of ['subscription-filter', 'renderer', 'delivery'] as const) {
      const text = await (
        await fetch(`${process.env[`${service.toUpperCase().replace(/-/g, '_')}_URL`]}/metrics`)
      ).text();
      expect(text).toMatch(/^webhooks_consumer_lag\{topic="[^"]+",partition="\d+"/m);
    }
  });
});
