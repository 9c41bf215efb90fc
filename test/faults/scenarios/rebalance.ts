import { AssignerProtocol, type Admin } from 'kafkajs';
import { sleep, underLoad } from '../load-stream';
import { metricValue } from '../probes';
import {
  check,
  seconds,
  type Check,
  type FaultContext,
  type Scenario,
  type ScenarioOutcome,
} from '../scenario';

const DELIVERY_GROUP = 'webhooks.delivery';
/** The second delivery replica listens here, plus the port offset (the five services take 3000–3004). */
export const REPLICA_PORT = 3005;
const SHARED_WITHIN_MS = 90_000;
const REPLICA_WORKS_MS = 10_000;

/**
 * A second delivery replica joins the group mid-stream, takes partitions, works a while and
 * leaves on SIGTERM: two rebalances under load, and nothing may be lost.
 */
export const rebalance: Scenario = {
  name: 'rebalance',
  title: 'a second delivery replica joins mid-stream, then leaves on SIGTERM',
  strictDuplicates: false,
  async run(context: FaultContext): Promise<ScenarioOutcome> {
    const { services, log } = context;
    const figures: ScenarioOutcome['figures'] = {};
    const checks: Check[] = [];
    const { admin } = context;
    const range = await underLoad(context.generator, context.phases, context.options.rate, async () => {
      await sleep(5_000);
      const port = REPLICA_PORT + context.options.portOffset;
      const started = performance.now();
      const replica = services.startReplica('delivery', port, 'delivery-2');
      log(`  second delivery replica started on port ${port} (pid ${replica.pid})`);
      try {
        const shared = await waitUntilShared(admin, SHARED_WITHIN_MS);
        figures['replica start to partitions shared (s)'] = shared
          ? seconds(performance.now() - started)
          : 'never';
        figures['partitions per member'] = shared ? shared.join(' + ') : 'not shared';
        checks.push(
          check(
            'the replica took partitions',
            shared !== undefined,
            shared
              ? `partitions per member: ${shared.join(', ')}`
              : `not within ${SHARED_WITHIN_MS / 1000} s`,
          ),
        );
        await sleep(REPLICA_WORKS_MS);
        const attempts = (await metricValue(replica, 'webhooks_deliveries_total')) ?? 0;
        figures['attempts by the replica'] = attempts;
        checks.push(check('the replica delivered', attempts > 0, `${attempts} attempts`));
      } finally {
        const stop = await services.stopReplica(replica);
        log(`  replica stopped after ${stop.seconds.toFixed(1)} s${stop.killed ? ' (killed)' : ''}`);
        figures['replica stop (s)'] = seconds(stop.seconds * 1000);
        checks.push(check('the replica exited by itself', !stop.killed, `${stop.seconds.toFixed(1)} s`));
      }
      await sleep(5_000);
    });
    const drain = await context.ledger.drain(range, context.options.drainMaxS);
    return { range, drain, figures, checks };
  },
};

/** Partitions held by each member of the delivery group, once at least two members hold some. */
async function waitUntilShared(admin: Admin, timeoutMs: number): Promise<number[] | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const { groups } = await admin.describeGroups([DELIVERY_GROUP]).catch(() => ({ groups: [] }));
    const held = (groups[0]?.members ?? []).map((member) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      return Object.values(decoded?.assignment ?? {}).reduce((sum, partitions) => sum + partitions.length, 0);
    });
    if (held.filter((count) => count > 0).length >= 2) return held;
    await sleep(1_000);
  }
  return undefined;
}
