import type { ServiceName } from '../../bench/service-processes';
import { sleep, underLoad } from '../load-stream';
import { seconds, type FaultContext, type Scenario, type ScenarioOutcome } from '../scenario';

const KILL_ORDER: ServiceName[] = ['subscription-filter', 'renderer', 'delivery', 'admin-api', 'notifier'];

/** kill -9 of each service in turn while events flow, then a restart: nothing may be lost. */
export const killRestart: Scenario = {
  name: 'kill',
  title: 'kill -9 each service mid-stream, restart it',
  strictDuplicates: false,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { services, log } = context;
    const figures: ScenarioOutcome['figures'] = {};
    const range = await underLoad(context.generator, context.phases, context.options.rate, async () => {
      for (const name of KILL_ORDER) {
        await sleep(4_000);
        log(`  kill -9 ${name} (pid ${services.get(name).pid})`);
        await services.stop(name, 'SIGKILL');
        const readyAfter = await services.restart(name);
        log(`  ${name} restarted, ready after ${readyAfter.toFixed(1)} s`);
        figures[`${name} restart to ready (s)`] = seconds(readyAfter * 1000);
      }
      await sleep(3_000);
    });
    const drain = await context.ledger.drain(range, context.options.drainMaxS);
    return { range, drain, figures, checks: [] };
  },
};
