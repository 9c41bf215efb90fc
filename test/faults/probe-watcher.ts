import type { RunningService } from '../bench/service-processes';
import { probeAll, type ProbeRound } from './probes';

/** Asks every service's /readyz and /healthz every `everyMs` and keeps each round's answers. */
export class ProbeWatcher {
  readonly rounds: ProbeRound[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: RunningService[],
    private readonly everyMs = 500,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.rounds.push(await probeAll(this.services));
        await new Promise((resolve) => setTimeout(resolve, this.everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Waits for a round (started after `since`) in which `test` holds; undefined after `timeoutMs`. */
  async waitFor(
    test: (round: ProbeRound) => boolean,
    since: number,
    timeoutMs: number,
  ): Promise<ProbeRound | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.rounds.find((round) => round.at >= since && test(round));
      if (found) return found;
      if (performance.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Per service, when its /readyz first answered other than 200 in a round started after `since`. */
  firstNotReady(since: number): Record<string, number | undefined> {
    const first: Record<string, number | undefined> = {};
    for (const service of this.services) {
      first[service.name] = this.rounds.find(
        (round) => round.at >= since && round.ready[service.name] !== 200,
      )?.at;
    }
    return first;
  }

  /** Rounds in which some /healthz did not answer 200, as "service: status" lines. */
  healthFailures(): string[] {
    return this.rounds.flatMap((round) =>
      Object.entries(round.health)
        .filter(([, status]) => status !== 200)
        .map(([service, status]) => `${service}: ${status === 0 ? 'no answer within 5 s' : status}`),
    );
  }
}

export function allReady(round: ProbeRound): boolean {
  return Object.values(round.ready).every((status) => status === 200);
}

export function noneReady(round: ProbeRound): boolean {
  return Object.values(round.ready).every((status) => status !== 200);
}
