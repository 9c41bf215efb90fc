import { baseUrl, type RunningService } from '../bench/service-processes';

/** HTTP status of a GET, or 0 when no answer came within the timeout. */
export async function statusOf(url: string, timeoutMs = 5_000): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export interface ProbeRound {
  at: number;
  ready: Record<string, number>;
  health: Record<string, number>;
}

/** /readyz and /healthz of every service, asked together. */
export async function probeAll(services: RunningService[]): Promise<ProbeRound> {
  const round: ProbeRound = { at: performance.now(), ready: {}, health: {} };
  await Promise.all(
    services.map(async (service) => {
      const [ready, health] = await Promise.all([
        statusOf(`${baseUrl(service)}/readyz`),
        statusOf(`${baseUrl(service)}/healthz`),
      ]);
      round.ready[service.name] = ready;
      round.health[service.name] = health;
    }),
  );
  return round;
}

/** The sum over label sets of one metric in a service's /metrics, undefined when it did not answer. */
export async function metricValue(service: RunningService, metric: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${baseUrl(service)}/metrics`, { signal: AbortSignal.timeout(3_000) });
    let sum = 0;
    for (const line of (await response.text()).split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match && match[1] === metric) sum += Number(match[2]);
    }
    return sum;
  } catch {
    return undefined;
  }
}
