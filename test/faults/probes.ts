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

/** /readyz's status and, when not ready, the reasons its body gives (0 when no answer came). */
async function readinessOf(url: string, timeoutMs = 5_000): Promise<{ status: number; reasons: string[] }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => ({}))) as { reasons?: Record<string, string[]> };
    const reasons = Object.entries(body.reasons ?? {}).flatMap(([part, lines]) =>
      lines.map((line) => `${part}: ${line}`),
    );
    return { status: response.status, reasons };
  } catch {
    return { status: 0, reasons: [] };
  }
}

export interface ProbeRound {
  at: number;
  ready: Record<string, number>;
  /** Per service not ready, why, as its /readyz said. */
  notReadyReasons: Record<string, string[]>;
  health: Record<string, number>;
}

/** /readyz and /healthz of every service, asked together. */
export async function probeAll(services: RunningService[]): Promise<ProbeRound> {
  const round: ProbeRound = { at: performance.now(), ready: {}, notReadyReasons: {}, health: {} };
  await Promise.all(
    services.map(async (service) => {
      const [ready, health] = await Promise.all([
        readinessOf(`${baseUrl(service)}/readyz`),
        statusOf(`${baseUrl(service)}/healthz`),
      ]);
      round.ready[service.name] = ready.status;
      if (ready.reasons.length > 0) round.notReadyReasons[service.name] = ready.reasons;
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
