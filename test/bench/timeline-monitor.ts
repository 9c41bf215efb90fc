import { monitorEventLoopDelay } from 'node:perf_hooks';
// The library's index also loads NestJS's decorated classes, which the harness doesn't compile.
import { EVENT_LOOP_SAMPLING_MS } from '../../libs/observability/src/lib/pipeline-metrics';
import type { BenchReceiver } from './bench-receiver';
import { mainPathLag, type LagMonitor, type LagReading } from './lag-monitor';
import { scrapeService, type ServiceMetrics } from './metrics-scraper';
import type { LoadGenerator } from './open-loop-generator';
import type { CpuReading, ProcessSampler } from './process-sampler';
import { baseUrl, type RunningService } from './service-processes';

/** One second of the run. */
export interface TimelinePoint {
  /** Seconds since the load started. */
  t: number;
  phase: string;
  publishedPerS: number;
  deliveredPerS: number;
  /** Healthy cohort, webhooks delivered this second (ms from scheduled send to arrival). */
  p50Ms: number;
  p99Ms: number;
  lag: LagReading;
  mainLag: number;
  /** Cores used over the second, per process, and by the whole machine. */
  cores: Record<string, number>;
  machineCores: number;
  /** Resident memory per process at the sample, bytes. */
  residentBytes: Record<string, number>;
  /**
   * Event-loop delay of the second beyond the sampling interval, its p99 and its max (ms); per
   * service, and `harness` for this process.
   */
  eventLoopP99Ms: Record<string, number>;
  eventLoopMaxMs: Record<string, number>;
  metrics: Record<string, ServiceMetrics>;
}

/**
 * Samples the run once a second: throughput and latency at the receiver, consumer lag, CPU per
 * process, and the services' own metrics. Never overlaps itself; a slow second is skipped.
 */
export class TimelineMonitor {
  readonly points: TimelinePoint[] = [];
  phase = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly startedAt = performance.now();
  private lastCpu: CpuReading;
  private lastPublished: number;
  private lastDelivered: number;
  private latestLag: LagReading = {};
  private readonly loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLING_MS });
  /** The same, not reset each second: the harness's delay over a whole phase. */
  private readonly phaseLoopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLING_MS });

  constructor(
    private readonly receiver: BenchReceiver,
    private readonly generator: LoadGenerator,
    private readonly lagMonitor: LagMonitor,
    private readonly sampler: ProcessSampler,
    private readonly services: RunningService[],
  ) {
    this.lastCpu = sampler.read();
    this.lastPublished = generator.sequenced;
    this.lastDelivered = receiver.read().delivered;
  }

  get lag(): LagReading {
    return this.latestLag;
  }

  start(): void {
    this.loopDelay.enable();
    this.phaseLoopDelay.enable();
    this.timer = setInterval(() => void this.sample(), 1_000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.loopDelay.disable();
    this.phaseLoopDelay.disable();
  }

  /** Starts the harness's whole-phase event-loop histogram afresh. */
  startPhaseLoopDelay(): void {
    this.phaseLoopDelay.reset();
  }

  /** The harness's event-loop delay since startPhaseLoopDelay, beyond sampling: p99 and max (ms). */
  phaseLoopDelayMs(): { p99: number; max: number } {
    return {
      p99: delayBeyondSampling(this.phaseLoopDelay.percentile(99) / 1e6),
      max: delayBeyondSampling(this.phaseLoopDelay.max / 1e6),
    };
  }

  /** Reads lag now, outside the once-a-second rhythm. */
  async readLag(): Promise<LagReading> {
    this.latestLag = await this.lagMonitor.read();
    return this.latestLag;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const [lag, metrics] = await Promise.all([
        this.lagMonitor.read().catch(() => this.latestLag),
        this.scrapeAll(),
      ]);
      this.latestLag = lag;
      const cpu = this.sampler.read();
      const seconds = (cpu.at - this.lastCpu.at) / 1000;
      const published = this.generator.sequenced;
      const delivered = this.receiver.read().delivered;
      const second = this.receiver.takeSecond();
      const cores: Record<string, number> = {};
      for (const [name, us] of Object.entries(cpu.processes)) {
        cores[name] = (us - (this.lastCpu.processes[name] ?? us)) / 1e6 / seconds;
      }
      const eventLoopP99Ms: Record<string, number> = {
        harness: delayBeyondSampling(this.loopDelay.percentile(99) / 1e6),
      };
      const eventLoopMaxMs: Record<string, number> = {
        harness: delayBeyondSampling(this.loopDelay.max / 1e6),
      };
      this.loopDelay.reset();
      for (const [service, values] of Object.entries(metrics)) {
        if (values.nodejs_eventloop_lag_p99_seconds !== undefined) {
          eventLoopP99Ms[service] = delayBeyondSampling(values.nodejs_eventloop_lag_p99_seconds * 1000);
        }
        if (values.nodejs_eventloop_lag_max_seconds !== undefined) {
          eventLoopMaxMs[service] = delayBeyondSampling(values.nodejs_eventloop_lag_max_seconds * 1000);
        }
      }
      this.points.push({
        t: Math.round((cpu.at - this.startedAt) / 100) / 10,
        phase: this.phase,
        publishedPerS: (published - this.lastPublished) / seconds,
        deliveredPerS: (delivered - this.lastDelivered) / seconds,
        p50Ms: second.p50,
        p99Ms: second.p99,
        lag,
        mainLag: mainPathLag(lag),
        cores,
        machineCores: (cpu.machineBusy - this.lastCpu.machineBusy) / 1e6 / seconds,
        residentBytes: cpu.residentBytes,
        eventLoopP99Ms,
        eventLoopMaxMs,
        metrics,
      });
      this.lastCpu = cpu;
      this.lastPublished = published;
      this.lastDelivered = delivered;
    } finally {
      this.busy = false;
    }
  }

  private async scrapeAll(): Promise<Record<string, ServiceMetrics>> {
    const entries = await Promise.all(
      this.services.map(async (service) => {
        try {
          return [service.name, await scrapeService(baseUrl(service))] as const;
        } catch {
          return [service.name, {}] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

/**
 * Node's delay histogram records the time between its samples, so an idle loop reads the
 * sampling interval itself (10.2 ms p50 for 10 ms): the loop's delay is what lies beyond it.
 */
function delayBeyondSampling(sampledMs: number): number {
  return Math.max(0, sampledMs - EVENT_LOOP_SAMPLING_MS);
}
