import type { ServiceName } from '../../bench/service-processes';
import { sleep, underLoad } from '../load-stream';
import {
  check,
  seconds,
  type Check,
  type FaultContext,
  type Scenario,
  type ScenarioOutcome,
} from '../scenario';

const PIPELINE: ServiceName[] = ['subscription-filter', 'renderer', 'delivery'];
const STOP_WITHIN_MS = 20_000;

/**
 * SIGTERM to each pipeline service while events flow: it must finish or hand back what it holds
 * and exit by itself within 20 s, and after its restart nothing is missing or sent twice.
 */
export const gracefulStop: Scenario = {
  name: 'graceful-stop',
  title: 'SIGTERM each pipeline service mid-stream, restart it',
  strictDuplicates: true,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { services, log } = context;
    const figures: ScenarioOutcome['figures'] = {};
    const checks: Check[] = [];
    const duplicatesAt: { service: ServiceName; duplicates: number }[] = [];
    const range = await underLoad(context.generator, context.phases, context.options.rate, async () => {
      for (const name of PIPELINE) {
        await sleep(5_000);
        log(`  SIGTERM ${name} (pid ${services.get(name).pid})`);
        duplicatesAt.push({ service: name, duplicates: context.receiver.read().duplicates });
        // The suite kills it only well after the deadline, so a slow stop is measured, not hidden.
        const stop = await services.stop(name, 'SIGTERM', STOP_WITHIN_MS + 10_000);
        log(`  ${name} exited after ${stop.seconds.toFixed(1)} s${stop.killed ? ' (killed)' : ''}`);
        figures[`${name} stop (s)`] = seconds(stop.seconds * 1000);
        checks.push(
          check(
            `${name} exited by itself within 20 s`,
            !stop.killed && stop.seconds * 1000 <= STOP_WITHIN_MS,
            stop.killed ? `killed after ${stop.seconds.toFixed(1)} s` : `${stop.seconds.toFixed(1)} s`,
          ),
        );
        const readyAfter = await services.restart(name);
        figures[`${name} restart to ready (s)`] = seconds(readyAfter * 1000);
      }
      await sleep(3_000);
    });
    const drain = await context.ledger.drain(range, context.options.drainMaxS);
    // Which stop the duplicates followed: those arriving between one SIGTERM and the next.
    duplicatesAt.forEach(({ service, duplicates }, index) => {
      const until = duplicatesAt[index + 1]?.duplicates ?? context.receiver.read().duplicates;
      figures[`duplicates arriving after the SIGTERM of ${service}`] = until - duplicates;
    });
    return { range, drain, figures, checks };
  },
};
