import { Registry } from 'prom-client';
import { ScrapeTimeCounter } from './scrape-time-counter';

async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric('test_total');
  if (!metric) throw new Error('test_total is not registered');
  const { values } = await metric.get();
  return Object.fromEntries(values.map(({ labels, value }) => [`${labels.outcome} ${labels.event}`, value]));
}

describe('ScrapeTimeCounter', () => {
  it('shows every increment so far at each scrape, none twice', async () => {
    const registry = new Registry();
    const counter = new ScrapeTimeCounter({
      name: 'test_total',
      help: 'test',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    });

    counter.inc({ event: 'message_send', outcome: 'delivered' });
    counter.inc({ outcome: 'delivered', event: 'message_send' });
    counter.inc({ event: 'message_open', outcome: 'retrying' });
    expect(await counts(registry)).toEqual({ 'delivered message_send': 2, 'retrying message_open': 1 });

    counter.inc({ event: 'message_send', outcome: 'delivered' });
    expect(await counts(registry)).toEqual({ 'delivered message_send': 3, 'retrying message_open': 1 });
    expect(await counts(registry)).toEqual({ 'delivered message_send': 3, 'retrying message_open': 1 });
    expect(await registry.metrics()).toMatch(/^test_total\{event="message_send",outcome="delivered"\} 3$/m);
  });
});
