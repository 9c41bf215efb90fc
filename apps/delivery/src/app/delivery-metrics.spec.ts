import { PipelineMetrics } from '@campaign-webhooks/observability';
import { DeliveryMetrics, statusClass } from './delivery-metrics';

describe('DeliveryMetrics', () => {
  it('publishes the attempts it counts as webhooks_deliveries_total', async () => {
    const registry = new PipelineMetrics('delivery');
    const metrics = new DeliveryMetrics(registry, () => ({ openBreakers: 0, inFlight: 0 }));

    metrics.attempts.inc({
      event: 'message_send',
      outcome: 'delivered',
      status_class: '2xx',
      auth_type: 'none',
    });

    expect(await registry.registry.metrics()).toMatch(
      /^webhooks_deliveries_total\{event="message_send",outcome="delivered",status_class="2xx",auth_type="none",service="delivery"\} 1$/m,
    );
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
