import { LagMonitor, type LagReading } from '../../bench/lag-monitor';
import { sleep, underLoad } from '../load-stream';
import { metricValue } from '../probes';
import { check, type Check, type FaultContext, type Scenario, type ScenarioOutcome } from '../scenario';

const BEFORE_MS = 15_000;
const FLAP_MS = 20_000;
const AFTER_MS = 20_000;
const BREAKER_CLOSED_WITHIN_MS = 30_000;
/** An endpoint that fails fast has its breaker open this soon. */
const BREAKER_OPEN_WITHIN_S = 5;
/** The other endpoints keep at least this share of their delivery rate while one flaps. */
const ISOLATION_RATIO = 0.8;
const SLICE_MS = 5_000;

/**
 * One connection's endpoint answers 503 for 20 s, then 200 again. Its breaker opens and closes,
 * all its webhooks arrive in the end, and the other connections go on as before.
 */
export const flappingEndpoint: Scenario = {
  name: 'flapping-endpoint',
  title: 'one endpoint answers 503 for 20 s, then 200',
  strictDuplicates: false,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { receiver, log, flappingConnection } = context;
    const figures: ScenarioOutcome['figures'] = {};
    const checks: Check[] = [];
    const phases: { before?: number; during?: number } = {};
    const healthyRate: { before?: number; during?: number } = {};
    const lag: { flapStart?: LagReading; flapEnd?: LagReading } = {};
    let duringSlices: number[] = [];
    let breakers: BreakerSampling = { max: 0 };
    const range = await underLoad(
      context.generator,
      context.phases,
      context.options.rate,
      async (streams) => {
        phases.before = streams.current.phase;
        healthyRate.before = rateOf(await healthyDeliveries(context, BEFORE_MS, BEFORE_MS), BEFORE_MS);
        lag.flapStart = await readLag(context);

        log(`  connection ${flappingConnection} answers 503 for ${FLAP_MS / 1000} s`);
        receiver.faultsActive = true;
        try {
          phases.during = (await streams.next()).phase;
          const sampling = sampleBreakers(context, FLAP_MS);
          duringSlices = await healthyDeliveries(context, FLAP_MS, SLICE_MS);
          healthyRate.during = rateOf(duringSlices, FLAP_MS);
          lag.flapEnd = await readLag(context);
          breakers = await sampling;
        } finally {
          receiver.faultsActive = false;
        }
        log(`  connection ${flappingConnection} answers 200 again`);
        await streams.next();
        await sleep(AFTER_MS);
      },
    );
    const drain = await context.ledger.drain(range, context.options.drainMaxS);
    const breakersOpenAfter = await breakersOpenOnceClosed(context);

    const flapping = context.ledger.countFor(range, flappingConnection);
    figures['flapping endpoint: webhooks published / delivered'] =
      `${flapping.published} / ${flapping.delivered}`;
    figures['webhooks_breakers_open max during the flap'] = breakers.max;
    figures["breaker open after the endpoint's first 503 (s, sampled every 0.25 s)"] =
      breakers.firstOpenAfterS ?? 'never';
    figures['webhooks_breakers_open after the drain'] = breakersOpenAfter ?? 'no answer';
    checks.push(
      check('flapping endpoint got all its webhooks', flapping.delivered === flapping.published, ''),
      check(
        `its breaker opened within ${BREAKER_OPEN_WITHIN_S} s of the first 503`,
        breakers.firstOpenAfterS !== undefined && breakers.firstOpenAfterS <= BREAKER_OPEN_WITHIN_S,
        `opened after ${breakers.firstOpenAfterS ?? 'never'} s, max ${breakers.max} open`,
      ),
      check(
        'its breaker closed afterwards',
        breakersOpenAfter === 0,
        `${breakersOpenAfter ?? 'no answer'} open after the drain`,
      ),
    );

    const p99 = (phase: number | undefined) =>
      phase === undefined ? NaN : receiver.latencyOf(phase).healthy.percentile(99) / 1000;
    figures['other endpoints delivered/s before'] = Math.round(healthyRate.before ?? 0);
    figures['other endpoints delivered/s during the flap'] = Math.round(healthyRate.during ?? 0);
    figures['other endpoints p99 before (ms)'] = Math.round(p99(phases.before));
    figures['other endpoints p99 during the flap (ms)'] = Math.round(p99(phases.during));
    figures['other endpoints delivered per 5 s of the flap'] = duringSlices.join(', ');
    figures['lag (filter/renderer/delivery/retries) at flap start'] = lagText(lag.flapStart);
    figures['lag (filter/renderer/delivery/retries) at flap end'] = lagText(lag.flapEnd);
    const ratio = (healthyRate.during ?? 0) / Math.max(1, healthyRate.before ?? 0);
    const idleSlices = duringSlices.filter((count) => count === 0).length;
    checks.push(
      check(
        'other endpoints kept delivering during the flap',
        idleSlices === 0,
        `nothing delivered in ${idleSlices} of ${duringSlices.length} slices of 5 s`,
      ),
      check(
        `other endpoints kept ${ISOLATION_RATIO * 100} % of their rate before`,
        ratio >= ISOLATION_RATIO,
        `${(ratio * 100).toFixed(0)} %`,
      ),
    );
    return { range, drain, figures, checks };
  },
};

/** Webhooks to the other (healthy) connections answered in each slice of the next `ms`. */
async function healthyDeliveries(context: FaultContext, ms: number, sliceMs: number): Promise<number[]> {
  const slices: number[] = [];
  for (let elapsed = 0; elapsed < ms; elapsed += sliceMs) {
    const before = context.receiver.read().deliveredHealthy;
    await sleep(sliceMs);
    slices.push(context.receiver.read().deliveredHealthy - before);
  }
  return slices;
}

function rateOf(slices: number[], ms: number): number {
  return (slices.reduce((sum, count) => sum + count, 0) * 1000) / ms;
}

/** Where a backlog sits tells a slow delivery service from a CPU-starved pipeline. */
async function readLag(context: FaultContext): Promise<LagReading | undefined> {
  return new LagMonitor(context.admin).read().catch(() => undefined);
}

function lagText(reading: LagReading | undefined): string {
  if (!reading) return 'not read';
  return ['filter', 'renderer', 'delivery', 'retries'].map((stage) => reading[stage] ?? '?').join(' / ');
}

interface BreakerSampling {
  max: number;
  /** Seconds from the endpoint's first 503 to the first reading above 0. */
  firstOpenAfterS?: number;
}

/**
 * webhooks_breakers_open of delivery, read every 0.25 s for `ms`: its highest value, and how
 * long after the endpoint's first 503 it first rose (a backlog can delay that first answer).
 */
async function sampleBreakers(context: FaultContext, ms: number): Promise<BreakerSampling> {
  const started = performance.now();
  const sampling: BreakerSampling = { max: 0 };
  const answeredBefore = context.receiver.read().answered503;
  let firstFailureAt: number | undefined;
  while (performance.now() - started < ms) {
    const open = (await metricValue(context.services.get('delivery'), 'webhooks_breakers_open')) ?? 0;
    const now = performance.now();
    if (firstFailureAt === undefined && context.receiver.read().answered503 > answeredBefore)
      firstFailureAt = now;
    if (open > 0 && sampling.firstOpenAfterS === undefined && firstFailureAt !== undefined)
      sampling.firstOpenAfterS = Math.round((now - firstFailureAt) / 100) / 10;
    sampling.max = Math.max(sampling.max, open);
    await sleep(250);
  }
  return sampling;
}

/** webhooks_breakers_open once it reads 0, or its last reading after a bounded wait. */
async function breakersOpenOnceClosed(context: FaultContext): Promise<number | undefined> {
  const deadline = performance.now() + BREAKER_CLOSED_WITHIN_MS;
  let open: number | undefined;
  while (performance.now() < deadline) {
    open = await metricValue(context.services.get('delivery'), 'webhooks_breakers_open');
    if (open === 0) return 0;
    await sleep(1_000);
  }
  return open;
}
