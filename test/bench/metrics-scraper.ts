/** Metrics read from each service's /metrics every second. */
export const SCRAPED_METRICS = [
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_gc_duration_seconds_sum',
  'webhooks_deliveries_in_flight',
  'webhooks_deliveries_parked_total',
  'webhooks_breakers_open',
  'webhooks_connections_cached',
] as const;

export type ScrapedMetric = (typeof SCRAPED_METRICS)[number];
export type ServiceMetrics = Partial<Record<ScrapedMetric, number>>;

const wanted = new Set<string>(SCRAPED_METRICS);

/** Values of the scraped metrics (summed over label sets) in one service's exposition text. */
export async function scrapeService(baseUrl: string, timeoutMs = 2_000): Promise<ServiceMetrics> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  const values: ServiceMetrics = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || !wanted.has(match[1])) continue;
    const name = match[1] as ScrapedMetric;
    values[name] = (values[name] ?? 0) + Number(match[2]);
  }
  return values;
}
