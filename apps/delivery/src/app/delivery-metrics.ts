import type { PipelineMetrics } from '@campaign-webhooks/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

export class DeliveryMetrics {
  readonly attempts: Counter<'event' | 'outcome' | 'status_class' | 'auth_type'>;
  readonly duration: Histogram<'outcome'>;
  readonly inFlight: Gauge;
  readonly parked: Counter<'reason'>;
  readonly deadLetters: Counter<'topic' | 'reason'>;

  constructor(metrics: PipelineMetrics, openBreakers: () => number) {
    const registers = [metrics.registry];
    this.deadLetters = metrics.deadLetters;
    this.attempts = new Counter({
      name: 'webhooks_deliveries_total',
      help: 'Delivery attempts, by event, outcome, HTTP status class and auth type.',
      labelNames: ['event', 'outcome', 'status_class', 'auth_type'],
      registers,
    });
    this.duration = new Histogram({
      name: 'webhooks_delivery_duration_seconds',
      help: 'Time from sending a webhook request to its outcome.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'webhooks_deliveries_in_flight',
      help: 'Webhook requests waiting for an answer.',
      registers,
    });
    this.parked = new Counter({
      name: 'webhooks_deliveries_parked_total',
      help: 'Deliveries handed to the retry topic without an attempt (breaker open, lane full).',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'webhooks_breakers_open',
      help: 'Connections whose circuit breaker is open.',
      registers,
      collect() {
        this.set(openBreakers());
      },
    });
  }
}

export function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`;
}
