/**
 * Who receives what. Connections are grouped into projects of `fanout` connections each; an
 * event of a project reaches every connection of it, so each event fans out to exactly `fanout`
 * connections. Connection i belongs to project floor(i / fanout) and is slot i % fanout there;
 * a webhook is identified by (event sequence number, slot), its index in the receiver's ledger.
 */
/** 'unavailable' answers 503; no bench cohort uses it, the fault suite's flapping endpoint does. */
export type Behaviour = 'ok' | 'hang' | 'error' | 'unavailable' | 'slow';

/** The fault phase's cohorts: never answer, answer 500, answer after 2 s. */
export const FAULT_KINDS = ['hang', 'error', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Topology {
  connections: number;
  fanout: number;
  projects: number;
  /** Fault cohort of each connection during the fault phase; 'ok' for the healthy cohort. */
  faultOf: Behaviour[];
  healthy: boolean[];
  apiKeys: Map<string, string>;
}

export function projectId(project: number): string {
  return `bench-${project}`;
}

export function buildTopology(
  connections: number,
  fanout: number,
  faultPercent: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
): Topology {
  const projects = connections / fanout;
  const faultOf: Behaviour[] = new Array(connections).fill('ok');
  if (faultPercent > 0) {
    // Spread each cohort over the connection range (so over ports and projects), one kind after another.
    const perKind = Math.max(1, Math.round((connections * faultPercent) / 100));
    const faulty = Math.min(connections - 1, perKind * kinds.length);
    const stride = connections / faulty;
    for (let index = 0; index < faulty; index++) {
      faultOf[Math.floor(index * stride + stride / 2)] = kinds[index % kinds.length];
    }
  }
  const apiKeys = new Map<string, string>();
  for (let project = 0; project < projects; project++) {
    apiKeys.set(projectId(project), `bench-key-${project}-0123456789abcdef`);
  }
  return {
    connections,
    fanout,
    projects,
    faultOf,
    healthy: faultOf.map((kind) => kind === 'ok'),
    apiKeys,
  };
}

export function adminApiKeysSetting(topology: Topology): string {
  return [...topology.apiKeys].map(([project, key]) => `${project}:${key}`).join(',');
}

/** The ledger index of the webhook that connection `connection` gets for event `seq`. */
export function webhookIndex(topology: Topology, seq: number, connection: number): number {
  return seq * topology.fanout + (connection % topology.fanout);
}

/**
 * The ledger index of the webhook for event `seq` at `connection`, or undefined when the event
 * does not reach that connection (the index keeps only the slot, so this is checked here).
 */
export function routedIndex(topology: Topology, seq: number, connection: number): number | undefined {
  const slot = connection % topology.fanout;
  return connectionOf(topology, seq, slot) === connection ? seq * topology.fanout + slot : undefined;
}

/** The connection an index belongs to, given the event's project. */
export function connectionOf(topology: Topology, seq: number, slot: number): number {
  return (seq % topology.projects) * topology.fanout + slot;
}

/** Healthy-cohort connections among those event `seq` reaches. */
function healthyReached(topology: Topology, seq: number): number {
  const first = (seq % topology.projects) * topology.fanout;
  let count = 0;
  for (let slot = 0; slot < topology.fanout; slot++) if (topology.healthy[first + slot]) count++;
  return count;
}

/** Webhooks the events [0, sequenced) call for, all and healthy cohort only, less the unpublished. */
export function expectedWebhooks(
  topology: Topology,
  sequenced: number,
  unpublished: { fromSeq: number; count: number }[],
): { all: number; healthy: number } {
  const healthyPerCycle = topology.healthy.filter(Boolean).length;
  const cycles = Math.floor(sequenced / topology.projects);
  let healthy = cycles * healthyPerCycle;
  for (let seq = cycles * topology.projects; seq < sequenced; seq++) healthy += healthyReached(topology, seq);
  let missingEvents = 0;
  for (const { fromSeq, count } of unpublished) {
    missingEvents += count;
    for (let seq = fromSeq; seq < fromSeq + count; seq++) healthy -= healthyReached(topology, seq);
  }
  return { all: (sequenced - missingEvents) * topology.fanout, healthy };
}
