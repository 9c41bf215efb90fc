import { ScrapeTimeCounter, type PipelineMetrics } from '@campaign-webhooks/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

interface EngineGauges {
  readonly openBreakers: number;
  readonly inFlight: number;
}

export class DeliveryMetrics {
  readonly attempts: ScrapeTimeCounter<'event' | 'outcome' | 'status_class' | 'auth_type'>;
  readonly duration: Histogram<'outcome'>;
  readonly parked: Counter<'reason'>;
  readonly deadLetters: Counter<'topic' | 'reason'>;

  /** The gauges read the engine when scraped, so an attempt does not update them. */
  constructor(metrics: PipelineMetrics, engine: () => EngineGauges) {
    const registers = [metrics.registry];
    this.deadLetters = metrics.deadLetters;
    this.attempts = new ScrapeTimeCounter({
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
    new Gauge({
      name: 'webhooks_deliveries_in_flight',
      help: 'Webhook requests waiting for an answer.',
      registers,
      collect() {
        this.set(engine().inFlight);
      },
    });
    this.parked = new Counter({
      name: 'webhooks_deliveries_parked_total',
      help: 'Deliveries handed to the retry topic without an attempt (breaker open, lane full).',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'webhooks_breakers_open',
      help: 'Connections whose circuit breaker is open or half-open (its trial not yet answered).',
      registers,
      collect() {
        this.set(engine().openBreakers);
      },
    });
  }
}

/** The classes HTTP defines, each label made once rather than for every attempt. */
const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export function statusClass(status: number | null): string {
  if (status === null) return 'none';
  const hundreds = Math.floor(status / 100);
  return STATUS_CLASSES[hundreds] ?? `${hundreds}xx`;
}
