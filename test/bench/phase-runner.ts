import type { BenchReceiver, ReceiverCounters } from './bench-receiver';
import { inMilliseconds, type Percentiles } from './histogram';
import type { Hop } from './hop-latency';
import { mainPathLag } from './lag-monitor';
import type { LoadGenerator } from './open-loop-generator';
import type { CpuReading, ProcessSampler } from './process-sampler';
import type { TimelineMonitor, TimelinePoint } from './timeline-monitor';
import { expectedWebhooks, type Topology } from './topology';

export type PhaseKind = 'warmup' | 'steady' | 'ramp' | 'lead-in' | 'fault';

export interface PhaseResult {
  index: number;
  name: string;
  kind: PhaseKind;
  /** Events per second asked of the generator; webhooks per second are this × fan-out. */
  targetRate: number;
  plannedS: number;
  actualS: number;
  published: number;
  publishedPerS: number;
  /** p99 of how late the generator sent after the scheduled time: high means the harness fell behind. */
  generatorLateP99Ms: number;
  /** Produce requests per second from the generator (events are sent together every tick). */
  generatorRequestsPerS: number;
  /** The phase was cut because lag passed its bound. */
  cutForLag: boolean;
  /** Webhooks answered 2xx during the phase (whichever phase published them). */
  deliveredPerS: number;
  deliveredHealthyPerS: number;
  /** Lag stayed bounded and deliveries kept up with input: the rate was sustained. */
  held: boolean;
  heldReason: string;
  lag: { max: number; end: number; slopePerS: number };
  /** t0 → first byte at the receiver, of webhooks published in this phase; filled after the drain. */
  latencyMs?: { all: Percentiles; healthy: Percentiles };
  /** t0 → each hand-off before delivery, of records published in this phase (every cohort). */
  hopLatencyMs?: Partial<Record<Hop, Percentiles>>;
  cpu: Record<string, { cores: number; usPerWebhook: number }>;
  machineCores: number;
  /** Cores the machine spent on work other than the processes under test: the noise. */
  otherCores: number;
  /**
   * Event-loop delay beyond the 10 ms sampling, ms: the median and the max of the phase's
   * per-second p99s. Blind to a stall under 1 % of a second's samples (one a second, say).
   */
  eventLoopP99Ms: Record<string, { median: number; max: number }>;
  /**
   * Event-loop delay beyond the 10 ms sampling over the whole phase, ms: `p99` of one histogram
   * kept for the phase, the harness's only (prom-client resets a service's at every scrape and
   * exports no counts to merge), and `max`, the longest single delay, of every process.
   */
  eventLoopPhaseMs: Record<string, { p99?: number; max: number }>;
  /** Per service, milliseconds a second spent collecting garbage (scavenges and full collections). */
  gcMsPerS: Record<string, number>;
  /** VmHWM: each process's peak resident memory since it started, read when the phase ended. */
  peakRssBytes: Record<string, number>;
  /** The highest of the phase's once-a-second samples of each process's resident memory. */
  phaseRssBytes: Record<string, number>;
  drain?: { drained: boolean; seconds: number };
}

export interface RunContext {
  topology: Topology;
  receiver: BenchReceiver;
  generator: LoadGenerator;
  monitor: TimelineMonitor;
  sampler: ProcessSampler;
  maxLagS: number;
  log(line: string): void;
}

/** Runs load phases one after another and keeps what each one measured. */
export class PhaseRunner {
  readonly results: PhaseResult[] = [];

  constructor(private readonly context: RunContext) {}

  async ratePhase(
    kind: PhaseKind,
    rate: number,
    durationS: number,
    { cutOnLag = true } = {},
  ): Promise<PhaseResult> {
    const { receiver, generator, monitor, sampler, topology } = this.context;
    const index = this.results.length;
    const name = kind === 'warmup' ? 'warmup' : `${kind}-${rate}`;
    this.context.log(
      `phase ${name}: ${rate} events/s for ${durationS} s (${rate * topology.fanout} webhooks/s)`,
    );
    monitor.phase = name;
    const lagBound = this.context.maxLagS * rate * topology.fanout;
    const cpuBefore = sampler.read();
    const before = receiver.read();
    let cutForLag = false;
    const shouldStop = () => {
      if (cutOnLag && mainPathLag(monitor.lag) > lagBound) cutForLag = true;
      return cutForLag;
    };
    monitor.startPhaseLoopDelay();
    const run = await generator.run(index, rate, durationS, shouldStop);
    const harnessLoop = monitor.phaseLoopDelayMs();
    const cpuAfter = sampler.read();
    const after = receiver.read();
    const seconds = (cpuAfter.at - cpuBefore.at) / 1000;
    const points = monitor.points.filter((point) => point.phase === name);
    const delivered = after.delivered - before.delivered;
    const result: PhaseResult = {
      index,
      name,
      kind,
      targetRate: rate,
      plannedS: durationS,
      actualS: seconds,
      published: run.published,
      publishedPerS: run.published / seconds,
      generatorLateP99Ms: run.sendDelay.percentile(99) / 1000,
      generatorRequestsPerS: run.requests / seconds,
      cutForLag,
      deliveredPerS: delivered / seconds,
      deliveredHealthyPerS: (after.deliveredHealthy - before.deliveredHealthy) / seconds,
      held: false,
      heldReason: '',
      lag: lagSummary(points),
      cpu: cpuPerWebhook(cpuBefore, cpuAfter, delivered),
      machineCores: (cpuAfter.machineBusy - cpuBefore.machineBusy) / 1e6 / seconds,
      otherCores: otherCores(cpuBefore, cpuAfter),
      eventLoopP99Ms: eventLoopSummary(points),
      eventLoopPhaseMs: { ...highestLoopDelay(points), harness: harnessLoop },
      gcMsPerS: gcTimeSummary(points),
      peakRssBytes: sampler.peakRss(),
      phaseRssBytes: highestResident(points),
    };
    [result.held, result.heldReason] = judgeHeld(
      result,
      secondHalf(points),
      rate * topology.fanout,
      cutForLag,
    );
    this.context.log(
      `  ${name}: published ${result.publishedPerS.toFixed(0)}/s, delivered ${result.deliveredPerS.toFixed(0)}/s, ` +
        `lag end ${result.lag.end} (max ${result.lag.max}), ${result.held ? 'held' : `not held: ${result.heldReason}`}`,
    );
    this.results.push(result);
    return result;
  }

  /**
   * Waits until the main path's lag is zero and every webhook that can be delivered has been:
   * all of them, or (after the fault phase) all of the healthy cohort's.
   */
  async drain(maxS: number, { healthyOnly = false } = {}): Promise<{ drained: boolean; seconds: number }> {
    const { receiver, generator, monitor, topology } = this.context;
    const previous = monitor.phase;
    monitor.phase = 'drain';
    const started = performance.now();
    const deadline = started + maxS * 1000;
    let drained = false;
    while (performance.now() < deadline) {
      const expected = expectedWebhooks(topology, generator.sequenced, generator.unpublished);
      const counters: ReceiverCounters = receiver.read();
      const lag = mainPathLag(await monitor.readLag().catch(() => monitor.lag));
      const complete = healthyOnly
        ? counters.deliveredHealthy >= expected.healthy
        : counters.delivered >= expected.all;
      if (lag === 0 && complete) {
        drained = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const outcome = { drained, seconds: (performance.now() - started) / 1000 };
    const last = this.results[this.results.length - 1];
    if (last) last.drain = outcome;
    this.context.log(
      `  drain after ${previous}: ${drained ? 'empty' : 'NOT empty'} after ${outcome.seconds.toFixed(1)} s`,
    );
    return outcome;
  }

  /** Latency of each phase's webhooks, read once they have had the chance to arrive. */
  finishLatency(): void {
    for (const result of this.results) {
      const latency = this.context.receiver.latencyOf(result.index);
      result.latencyMs = {
        all: inMilliseconds(latency.all.summary()),
        healthy: inMilliseconds(latency.healthy.summary()),
      };
    }
  }
}

/**
 * Held: the generator kept its rate, deliveries kept up with it once the pipeline had filled
 * (judged on the phase's second half), and lag ended under about two seconds of webhooks and was
 * not growing towards that bound.
 */
function judgeHeld(
  result: PhaseResult,
  settled: TimelinePoint[],
  webhooksPerS: number,
  cutForLag: boolean,
): [boolean, string] {
  if (cutForLag) return [false, 'lag passed its bound; phase cut'];
  if (result.publishedPerS < 0.97 * result.targetRate) {
    return [false, `generator published only ${result.publishedPerS.toFixed(0)}/s`];
  }
  const delivered = mean(settled.map((point) => point.deliveredPerS));
  if (settled.length > 0 && delivered < 0.95 * webhooksPerS) {
    return [false, `delivered ${delivered.toFixed(0)}/s in the second half`];
  }
  const endBound = Math.max(1_000, 2 * webhooksPerS);
  if (result.lag.end > endBound) return [false, `lag ${result.lag.end} at the end (bound ${endBound})`];
  // Growth that would carry the lag past its bound within another phase as long is not bounded.
  if (result.lag.end + result.lag.slopePerS * result.plannedS > endBound) {
    return [false, `lag growing ${result.lag.slopePerS.toFixed(0)}/s`];
  }
  return [true, ''];
}

function secondHalf(points: TimelinePoint[]): TimelinePoint[] {
  return points.slice(Math.floor(points.length / 2));
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function lagSummary(points: TimelinePoint[]): PhaseResult['lag'] {
  if (points.length === 0) return { max: 0, end: 0, slopePerS: 0 };
  const lags = points.map((point) => point.mainLag);
  const settled = secondHalf(points).map((p): [number, number] => [p.t, p.mainLag]);
  return { max: Math.max(...lags), end: lags[lags.length - 1], slopePerS: slope(settled) };
}

/** Least-squares slope of y over x. */
function slope(pairs: [number, number][]): number {
  if (pairs.length < 2) return 0;
  const n = pairs.length;
  const meanX = pairs.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = pairs.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of pairs) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function cpuPerWebhook(before: CpuReading, after: CpuReading, delivered: number): PhaseResult['cpu'] {
  const seconds = (after.at - before.at) / 1000;
  const cpu: PhaseResult['cpu'] = {};
  for (const [name, us] of Object.entries(after.processes)) {
    const used = us - (before.processes[name] ?? us);
    cpu[name] = { cores: used / 1e6 / seconds, usPerWebhook: delivered > 0 ? used / delivered : 0 };
  }
  return cpu;
}

function otherCores(before: CpuReading, after: CpuReading): number {
  const seconds = (after.at - before.at) / 1000;
  let ours = 0;
  for (const [name, us] of Object.entries(after.processes)) ours += us - (before.processes[name] ?? us);
  return Math.max(0, (after.machineBusy - before.machineBusy - ours) / 1e6 / seconds);
}

function gcTimeSummary(points: TimelinePoint[]): PhaseResult['gcMsPerS'] {
  const summary: PhaseResult['gcMsPerS'] = {};
  for (const service of Object.keys(points[0]?.metrics ?? {})) {
    // A scrape can time out under overload: measure between the first and last that answered.
    const read = points.filter(
      (point) => point.metrics[service]?.nodejs_gc_duration_seconds_sum !== undefined,
    );
    if (read.length < 2) continue;
    const [first, last] = [read[0], read[read.length - 1]];
    const seconds =
      (last.metrics[service].nodejs_gc_duration_seconds_sum ?? 0) -
      (first.metrics[service].nodejs_gc_duration_seconds_sum ?? 0);
    summary[service] = (seconds * 1000) / (last.t - first.t);
  }
  return summary;
}

function highestResident(points: TimelinePoint[]): Record<string, number> {
  const highest: Record<string, number> = {};
  for (const point of points) {
    for (const [name, bytes] of Object.entries(point.residentBytes))
      highest[name] = Math.max(highest[name] ?? 0, bytes);
  }
  return highest;
}

function eventLoopSummary(points: TimelinePoint[]): PhaseResult['eventLoopP99Ms'] {
  const byService: Record<string, number[]> = {};
  for (const point of points) {
    for (const [service, value] of Object.entries(point.eventLoopP99Ms))
      (byService[service] ??= []).push(value);
  }
  const summary: PhaseResult['eventLoopP99Ms'] = {};
  for (const [service, values] of Object.entries(byService)) {
    const sorted = [...values].sort((a, b) => a - b);
    summary[service] = { median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
  }
  return summary;
}

/** Per service, the longest event-loop delay of the phase: the highest of its per-second maxima. */
function highestLoopDelay(points: TimelinePoint[]): PhaseResult['eventLoopPhaseMs'] {
  const highest: PhaseResult['eventLoopPhaseMs'] = {};
  for (const point of points) {
    for (const [service, max] of Object.entries(point.eventLoopMaxMs))
      highest[service] = { max: Math.max(highest[service]?.max ?? 0, max) };
  }
  return highest;
}
