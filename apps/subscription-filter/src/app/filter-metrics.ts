import { PipelineMetrics, ScrapeTimeCounter } from '@campaign-webhooks/observability';
import { Counter } from 'prom-client';

export class FilterMetrics {
  readonly matched: ScrapeTimeCounter<'event' | 'channel'>;
  readonly skipped: Counter<'reason'>;

  constructor(metrics: PipelineMetrics) {
    const registers = [metrics.registry];
    this.matched = new ScrapeTimeCounter({
      name: 'webhooks_matches_total',
      help: 'Events matched to a connection, by event and channel.',
      labelNames: ['event', 'channel'],
      registers,
    });
    this.skipped = new Counter({
      name: 'webhooks_filter_skips_total',
      help: 'Events or matches not passed on, by reason.',
      labelNames: ['reason'],
      registers,
    });
  }
}
