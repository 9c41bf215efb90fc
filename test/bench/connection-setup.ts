import { scrapeService } from './metrics-scraper';
import { baseUrl, type RunningService } from './service-processes';
import { projectId, type Topology } from './topology';

/**
 * Creates the connections through the admin API, as a marketer's script would: each in its
 * project, pointing at its own receiver path, for message_send on email. Returns their ids in
 * connection order.
 */
export async function createConnections(
  adminApi: RunningService,
  topology: Topology,
  urlOf: (connection: number) => string,
  concurrency = 4,
): Promise<string[]> {
  const ids: string[] = new Array(topology.connections);
  let next = 0;
  const worker = async () => {
    while (next < topology.connections) {
      const connection = next++;
      const project = projectId(Math.floor(connection / topology.fanout));
      const response = await fetch(`${baseUrl(adminApi)}/v1/connections`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${topology.apiKeys.get(project)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          name: `bench ${connection}`,
          url: urlOf(connection),
          auth: { type: 'none' },
          messageEvents: ['message_send'],
          channels: ['email'],
        }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json()) as { id?: string };
      if (response.status !== 201 || !body.id) {
        throw new Error(
          `creating connection ${connection} answered ${response.status}: ${JSON.stringify(body)}`,
        );
      }
      ids[connection] = body.id;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

/** Waits until every service that caches connections holds all of them. */
export async function waitForConnectionCaches(
  services: RunningService[],
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const caches = services.filter(({ name }) =>
    ['subscription-filter', 'renderer', 'delivery'].includes(name),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cached = await Promise.all(
      caches.map(async (service) => (await scrapeService(baseUrl(service))).webhooks_connections_cached ?? 0),
    );
    if (cached.every((value) => value >= count)) return;
    if (Date.now() > deadline)
      throw new Error(`connection caches hold ${cached.join(', ')} of ${count} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
