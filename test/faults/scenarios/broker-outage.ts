import { stackPart } from '../../bench/local-stack';
import { sleep, underLoad } from '../load-stream';
import { allReady, noneReady, ProbeWatcher } from '../probe-watcher';
import {
  check,
  seconds,
  type Check,
  type FaultContext,
  type Scenario,
  type ScenarioOutcome,
} from '../scenario';

const NOT_READY_WITHIN_MS = 30_000;
const READY_AGAIN_WITHIN_MS = 120_000;

/**
 * The broker stops mid-stream and comes back. Every service must say so on /readyz (not on
 * /healthz: restarting a process would not help) and recover by itself.
 */
export const brokerOutage: Scenario = {
  name: 'broker-outage',
  title: 'Kafka broker stopped mid-stream, then started again',
  strictDuplicates: false,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { log, stackEnv } = context;
    const figures: ScenarioOutcome['figures'] = {};
    const checks: Check[] = [];
    const watcher = new ProbeWatcher(context.services.all());
    const stackLog = (line: string) => log(`    ${line}`);
    const range = await underLoad(context.generator, context.phases, context.options.rate, async () => {
      await sleep(5_000);
      watcher.start();
      try {
        log('  stopping the broker (deploy/local/kafka.sh stop)');
        const stopAsked = performance.now();
        await stackPart('kafka', 'stop', stackEnv, stackLog);
        const stopped = performance.now();
        figures['broker stop took (s)'] = seconds(stopped - stopAsked);

        const down = await watcher.waitFor(noneReady, stopAsked, NOT_READY_WITHIN_MS + (stopped - stopAsked));
        const notReadyAt = watcher.firstNotReady(stopAsked);
        for (const [service, at] of Object.entries(notReadyAt)) {
          const after = at === undefined ? undefined : at - stopped;
          figures[`${service} /readyz non-200 after broker exit (s)`] =
            after === undefined ? 'never' : seconds(Math.max(0, after));
          checks.push(
            check(
              `${service} /readyz non-200 within 30 s`,
              after !== undefined && after <= NOT_READY_WITHIN_MS,
              after === undefined ? 'stayed 200' : `after ${(Math.max(0, after) / 1000).toFixed(1)} s`,
            ),
          );
        }
        if (down) await sleep(2_000);

        log('  starting the broker again (deploy/local/kafka.sh start)');
        const startAsked = performance.now();
        await stackPart('kafka', 'start', stackEnv, stackLog);
        const started = performance.now();
        figures['broker start took (s)'] = seconds(started - startAsked);
        const up = await watcher.waitFor(allReady, started, READY_AGAIN_WITHIN_MS);
        figures['all /readyz 200 after broker ready (s)'] = up ? seconds(up.at - started) : 'never';
        figures['outage, stop asked to all ready (s)'] = up ? seconds(up.at - stopAsked) : 'never';
        checks.push(
          check(
            'every /readyz back to 200 by itself',
            up !== undefined,
            up
              ? `${((up.at - started) / 1000).toFixed(1)} s after the broker was ready`
              : `not within ${READY_AGAIN_WITHIN_MS / 1000} s; not ready at the end: ${notReady(watcher).join(', ')}`,
          ),
        );
      } finally {
        await watcher.stop();
      }
      const healthFailures = watcher.healthFailures();
      checks.push(
        check(
          '/healthz 200 throughout',
          healthFailures.length === 0,
          healthFailures.length === 0
            ? `${watcher.rounds.length} rounds of probes`
            : `${healthFailures.length} failed probes: ${[...new Set(healthFailures)].slice(0, 5).join('; ')}`,
        ),
      );
      await sleep(5_000);
    });
    const drain = await context.ledger.drain(range, context.options.drainMaxS);
    return { range, drain, figures, checks };
  },
};

/** The services whose /readyz did not answer 200 in the watcher's last round, and why. */
function notReady(watcher: ProbeWatcher): string[] {
  const last = watcher.rounds[watcher.rounds.length - 1];
  return Object.entries(last?.ready ?? {})
    .filter(([, status]) => status !== 200)
    .map(([service, status]) => {
      const reasons = last?.notReadyReasons[service] ?? [];
      return `${service} (${[status, ...reasons].join('; ')})`;
    });
}
