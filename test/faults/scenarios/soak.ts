import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LagMonitor, mainPathLag } from '../../bench/lag-monitor';
import { root } from '../../bench/local-stack';
import { SERVICES, type ServiceName } from '../../bench/service-processes';
import { sleep, underLoad } from '../load-stream';
import { metricValue } from '../probes';
import { check, type Check, type FaultContext, type Scenario, type ScenarioOutcome } from '../scenario';
import { median, slopePerSecond, within, type Series } from '../trend';

const SAMPLE_MS = 10_000;
/** Caches, JIT and heap sizing settle first; the trend is read after this. */
const LONGEST_WARM_UP_S = 300;
/**
 * RSS saws up and down by tens of MiB as the heap collects, so the trend compares medians of
 * windows this long: the first after the warm-up against the last.
 */
const LONGEST_WINDOW_S = 300;
/** Growth allowed from the first window to the last (a leak grows without end). */
const FLAT_GROWTH = 0.1;
/** Lag stays under this many seconds of events, or the pipeline is falling behind. */
const LAG_BOUND_S = 10;
const MIB = 1024 * 1024;

interface Sample {
  at: number;
  delivered: number;
  lag?: number;
  rss: Partial<Record<ServiceName, number>>;
  heapUsed: Partial<Record<ServiceName, number>>;
}

/**
 * The load at a steady rate for `--soak-minutes`, sampling every 10 s the resident set and used
 * heap of each service and the main-path lag. A service whose RSS keeps growing after the
 * warm-up leaks; a lag that keeps growing means the rate does not hold.
 */
export const soak: Scenario = {
  name: 'soak',
  title: 'steady load for a long run: memory flat, lag bounded',
  strictDuplicates: false,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { options, log } = context;
    const durationS = options.soakMinutes * 60;
    const warmUpS = Math.min(LONGEST_WARM_UP_S, durationS / 6);
    const windowS = Math.min(LONGEST_WINDOW_S, durationS / 6);
    const lagMonitor = new LagMonitor(context.admin);
    const samples: Sample[] = [];
    const started = performance.now();
    const range = await underLoad(
      context.generator,
      context.phases,
      options.rate,
      async () => {
        for (let next = SAMPLE_MS; next <= durationS * 1000; next += SAMPLE_MS) {
          await sleep(Math.max(0, started + next - performance.now()));
          samples.push(await takeSample(context, lagMonitor, (performance.now() - started) / 1000));
          if (samples.length % 30 === 0) log(`  ${progressLine(samples.at(-1) as Sample)}`);
        }
      },
      durationS + 60,
    );
    const drain = await context.ledger.drain(range, options.drainMaxS);
    const file = writeSamples(samples, resolve(root, options.outDir));
    log(`  samples in ${file}`);

    const figures: ScenarioOutcome['figures'] = {};
    const checks: Check[] = [];
    figures['duration (min)'] = options.soakMinutes;
    figures['trend read after (s), window (s)'] = `${Math.round(warmUpS)}, ${Math.round(windowS)}`;
    figures['delivered/s over the run'] = Math.round(context.ledger.count(range).delivered / durationS);
    for (const { name } of SERVICES) {
      const rss = seriesOf(samples, (sample) => sample.rss[name]);
      const heap = seriesOf(samples, (sample) => sample.heapUsed[name]);
      const first = median(within(rss, warmUpS, warmUpS + windowS).map(({ value }) => value));
      const last = median(within(rss, durationS - windowS, Infinity).map(({ value }) => value));
      const growth = last / first - 1;
      const slope = (series: Series) =>
        ((slopePerSecond(within(series, warmUpS, Infinity)) * 600) / MIB).toFixed(1);
      figures[`${name} RSS MiB: first window / last window / max`] = [
        first,
        last,
        Math.max(...rss.map(({ value }) => value)),
      ]
        .map((bytes) => (bytes / MIB).toFixed(0))
        .join(' / ');
      figures[`${name} least-squares trend MiB per 10 min: RSS / used heap`] =
        `${slope(rss)} / ${slope(heap)}`;
      checks.push(
        check(
          `${name}: RSS flat after the warm-up (within ${FLAT_GROWTH * 100} %)`,
          Number.isFinite(growth) && growth <= FLAT_GROWTH,
          `median ${(first / MIB).toFixed(0)} MiB in the first ${windowS} s window, ${(last / MIB).toFixed(0)} MiB in the last: ${(growth * 100).toFixed(1)} %`,
        ),
      );
    }
    const lag = seriesOf(samples, (sample) => sample.lag);
    const settledLag = within(lag, Math.min(60, warmUpS), Infinity).map(({ value }) => value);
    const lagBound = options.rate * LAG_BOUND_S;
    figures['main-path lag after the first minute: median / max'] =
      `${median(settledLag)} / ${Math.max(...settledLag)}`;
    checks.push(
      check(
        `lag bounded (under ${LAG_BOUND_S} s of events, ${lagBound})`,
        settledLag.length > 0 && settledLag.every((value) => value <= lagBound),
        `max ${Math.max(...settledLag)} over ${settledLag.length} readings`,
      ),
    );
    return { range, drain, figures, checks };
  },
};

async function takeSample(context: FaultContext, lagMonitor: LagMonitor, at: number): Promise<Sample> {
  const sample: Sample = { at, delivered: context.receiver.delivered.count, rss: {}, heapUsed: {} };
  const [lag] = await Promise.all([
    lagMonitor.read().catch(() => undefined),
    ...SERVICES.map(async ({ name }) => {
      const service = context.services.get(name);
      sample.rss[name] = residentSetOf(service.pid);
      sample.heapUsed[name] = await metricValue(service, 'nodejs_heap_size_used_bytes');
    }),
  ]);
  sample.lag = lag ? mainPathLag(lag) : undefined;
  return sample;
}

/** VmRSS of a process, in bytes; undefined once it has exited. */
function residentSetOf(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function seriesOf(samples: Sample[], value: (sample: Sample) => number | undefined): Series {
  return samples.flatMap((sample) => {
    const v = value(sample);
    return v === undefined ? [] : [{ at: sample.at, value: v }];
  });
}

function progressLine(sample: Sample): string {
  const rss = SERVICES.map(({ name }) => `${name} ${((sample.rss[name] ?? NaN) / MIB).toFixed(0)}`);
  return `${(sample.at / 60).toFixed(0)} min: delivered ${sample.delivered}, lag ${sample.lag ?? '?'}, RSS MiB ${rss.join(', ')}`;
}

/** One row per sample, for charts: seconds, delivered, lag, then RSS and used heap per service. */
function writeSamples(samples: Sample[], outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const names = SERVICES.map(({ name }) => name);
  const header = [
    'at_s',
    'delivered',
    'lag',
    ...names.map((n) => `rss_${n}`),
    ...names.map((n) => `heap_${n}`),
  ];
  const rows = samples.map((sample) =>
    [
      sample.at.toFixed(0),
      sample.delivered,
      sample.lag ?? '',
      ...names.map((name) => sample.rss[name] ?? ''),
      ...names.map((name) => sample.heapUsed[name] ?? ''),
    ].join(','),
  );
  const file = join(outDir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`);
  writeFileSync(file, [header.join(','), ...rows].join('\n') + '\n');
  return file;
}
