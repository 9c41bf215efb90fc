import { PipelineMetrics } from '@campaign-webhooks/observability';
import { DeliveryMetrics, statusClass } from './delivery-metrics';

const delivered = { event: 'message_send', outcome: 'delivered', status_class: '2xx', auth_type: 'none' };
const retrying = { event: 'message_open', outcome: 'retrying', status_class: '5xx', auth_type: 'basic' };

async function attemptCounts(metrics: PipelineMetrics): Promise<Record<string, number>> {
  const { values } = await (await metrics.registry.getSingleMetric('webhooks_deliveries_total'))!.get();
  return Object.fromEntries(values.map(({ labels, value }) => [`${labels.outcome} ${labels.event}`, value]));
}

describe('DeliveryMetrics', () => {
  it('shows every attempt counted so far at each scrape, none twice', async () => {
    const registry = new PipelineMetrics('delivery');
    const metrics = new DeliveryMetrics(registry, () => ({ openBreakers: 0, inFlight: 0 }));

    metrics.countAttempt(delivered);
    metrics.countAttempt({ ...delivered });
    metrics.countAttempt(retrying);
    expect(await attemptCounts(registry)).toEqual({
      'delivered message_send': 2,
      'retrying message_open': 1,
    });

    metrics.countAttempt(delivered);
    expect(await attemptCounts(registry)).toEqual({
      'delivered message_send': 3,
      'retrying message_open': 1,
    });
    expect(await attemptCounts(registry)).toEqual({
      'delivered message_send': 3,
      'retrying message_open': 1,
    });
  });

  it('reads the in-flight and open-breaker gauges from the engine when scraped', async () => {
    const registry = new PipelineMetrics('delivery');
    const engine = { openBreakers: 0, inFlight: 0 };
    new DeliveryMetrics(registry, () => engine);
    engine.inFlight = 7;
    engine.openBreakers = 2;

    const text = await registry.registry.metrics();

    expect(text).toMatch(/^webhooks_deliveries_in_flight\{service="delivery"\} 7$/m);
    expect(text).toMatch(/^webhooks_breakers_open\{service="delivery"\} 2$/m);
  });

  it.each([
    [null, 'none'],
    [200, '2xx'],
    [204, '2xx'],
    [301, '3xx'],
    [429, '4xx'],
    [503, '5xx'],
    [101, '1xx'],
    [699, '6xx'],
  ])('puts status %p in class %p', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });
});
