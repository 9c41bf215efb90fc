import { Client } from 'pg';
import { stackPart } from '../../bench/local-stack';
import { sleep, underLoad } from '../load-stream';
import {
  check,
  seconds,
  type Check,
  type FaultContext,
  type Scenario,
  type ScenarioOutcome,
} from '../scenario';

const OUTAGE_MS = 30_000;
/** The outage is judged in parts: deliveries must grow in each, not just at its start. */
const OUTAGE_PARTS = 3;
const LOG_CATCH_UP_WITHIN_MS = 90_000;

/**
 * PostgreSQL stops for 30 s. Nothing on the delivery path reads it (default bodies need no
 * profile), so webhooks keep going out; the delivery log (admin-api, from webhooks.outcomes)
 * waits and catches up afterwards.
 */
export const postgresOutage: Scenario = {
  name: 'postgres-outage',
  title: 'PostgreSQL stopped for 30 s mid-stream',
  strictDuplicates: false,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { log, stackEnv, receiver } = context;
    const figures: ScenarioOutcome['figures'] = {};
    const checks: Check[] = [];
    const stackLog = (line: string) => log(`    ${line}`);
    let postgresBackAt = 0;
    const range = await underLoad(context.generator, context.phases, context.options.rate, async () => {
      await sleep(5_000);
      log('  stopping PostgreSQL (deploy/local/postgres.sh stop)');
      await stackPart('postgres', 'stop', stackEnv, stackLog);
      const grown: number[] = [];
      let before = receiver.delivered.count;
      const outageStart = before;
      for (let part = 0; part < OUTAGE_PARTS; part++) {
        await sleep(OUTAGE_MS / OUTAGE_PARTS);
        grown.push(receiver.delivered.count - before);
        before = receiver.delivered.count;
      }
      const during = receiver.delivered.count - outageStart;
      figures['delivered while PostgreSQL was down'] = during;
      figures['delivered/s while PostgreSQL was down'] = Math.round(during / (OUTAGE_MS / 1000));
      checks.push(
        check(
          'deliveries kept flowing during the outage',
          grown.every((count) => count > 0),
          `delivered per ${OUTAGE_MS / OUTAGE_PARTS / 1000} s: ${grown.join(', ')}`,
        ),
      );
      log('  starting PostgreSQL again (deploy/local/postgres.sh start)');
      await stackPart('postgres', 'start', stackEnv, stackLog);
      postgresBackAt = performance.now();
      await sleep(5_000);
    });
    const drain = await context.ledger.drain(range, context.options.drainMaxS);

    const ids = context.ledger.deliveredIds(range);
    const logged = await waitForDeliveryLog(stackEnv['DATABASE_URL'], ids, LOG_CATCH_UP_WITHIN_MS);
    figures['delivery log rows for the delivered webhooks'] = `${logged.count} of ${ids.length}`;
    figures['delivery log complete after PostgreSQL start (s)'] =
      logged.count === ids.length ? seconds(logged.at - postgresBackAt) : 'never';
    checks.push(
      check(
        'delivery log caught up',
        logged.count === ids.length,
        `${logged.count} of ${ids.length} delivered webhooks logged as delivered`,
      ),
    );
    return { range, drain, figures, checks };
  },
};

/** Waits until the delivery log holds a `delivered` attempt for each id; the last count and when. */
async function waitForDeliveryLog(
  databaseUrl: string,
  ids: string[],
  timeoutMs: number,
): Promise<{ count: number; at: number }> {
  const deadline = performance.now() + timeoutMs;
  let count = 0;
  for (;;) {
    const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      const result = await client.query<{ logged: number }>(
        `SELECT count(DISTINCT delivery_id)::int AS logged FROM delivery_attempts
          WHERE status = 'delivered' AND delivery_id = ANY($1::text[])`,
        [ids],
      );
      count = result.rows[0].logged;
    } catch {
      // not answering yet
    } finally {
      await client.end().catch(() => undefined);
    }
    if (count === ids.length || performance.now() > deadline) return { count, at: performance.now() };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
