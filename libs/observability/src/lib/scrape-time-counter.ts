import { Counter, type CounterConfiguration } from 'prom-client';

/**
 * A labelled counter for the per-record path. prom-client hashes and checks the labels of every
 * `inc`; this one keeps the counts in a map by label values and hands them to prom-client when
 * the registry is scraped, so a label set pays for that once a scrape instead of once a record.
 */
export class ScrapeTimeCounter<T extends string> {
  private readonly counts = new Map<string, { labels: Record<T, string>; count: number }>();
  private readonly labelNames: readonly T[];

  constructor(configuration: CounterConfiguration<T> & { labelNames: readonly T[] }) {
    this.labelNames = configuration.labelNames;
    const counts = this.counts;
    new Counter<T>({
      ...configuration,
      collect() {
        for (const pending of counts.values()) {
          if (pending.count === 0) continue;
          this.inc(pending.labels, pending.count);
          pending.count = 0;
        }
      },
    });
  }

  inc(labels: Record<T, string>): void {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\n`;
    const pending = this.counts.get(key);
    if (pending) pending.count++;
    else this.counts.set(key, { labels, count: 1 });
  }
}
