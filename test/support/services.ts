/** The running services, as npm test started them. */
export const serviceUrls = {
  'admin-api': process.env['ADMIN_API_URL'] ?? 'http://127.0.0.1:3000',
  'subscription-filter': process.env['SUBSCRIPTION_FILTER_URL'] ?? 'http://127.0.0.1:3001',
  renderer: process.env['RENDERER_URL'] ?? 'http://127.0.0.1:3002',
  delivery: process.env['DELIVERY_URL'] ?? 'http://127.0.0.1:3003',
  notifier: process.env['NOTIFIER_URL'] ?? 'http://127.0.0.1:3004',
};
export type ServiceName = keyof typeof serviceUrls;

/** The value of a metric (summed over its label sets) in a service's /metrics. */
export async function metricValue(
  service: ServiceName,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${serviceUrls[service]}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const lineLabels = match[2] ?? '';
    if (Object.entries(labels).every(([label, value]) => lineLabels.includes(`${label}="${value}"`))) {
      total += Number(match[3]);
    }
  }
  return total;
}

/** The services that cache connections: a change must reach all of them before events use it. */
const connectionCaches: ServiceName[] = ['subscription-filter', 'renderer', 'delivery', 'notifier'];

export async function connectionChangeCounts(): Promise<number[]> {
  return Promise.all(
    connectionCaches.map((service) => metricValue(service, 'webhooks_connection_changes_applied')),
  );
}

/** Waits until every caching service has applied `changes` more connection changes than `before`. */
export async function waitForConnectionChanges(
  before: number[],
  changes = 1,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await connectionChangeCounts();
    if (now.every((count, index) => count >= before[index] + changes)) return;
    if (Date.now() > deadline)
      throw new Error(`connection changes not applied within ${timeoutMs} ms: ${before} -> ${now}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
