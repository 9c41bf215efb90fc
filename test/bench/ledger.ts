import type { Kafka } from 'kafkajs';
import { readStamp } from './bench-event';
import type { BenchReceiver, DuplicateExample } from './bench-receiver';
import type { UnpublishedRange } from './open-loop-generator';
import { readWholeTopic } from './topic-reader';
import { connectionOf, routedIndex, type Topology } from './topology';

/**
 * Where every webhook the published events called for ended up. Each is counted once, in the
 * first of: delivered (answered 2xx at the receiver), dead-lettered (in webhooks.dead-letter),
 * retrying (a retry still pending, see `retrying`), missing (none of those). The four add up to
 * `published` by construction; what the receiver got besides is counted apart (`unexpected`,
 * `misrouted`).
 */
export interface Ledger {
  published: number;
  delivered: number;
  /**
   * Handed to webhooks.retries and not settled since: no attempt has been recorded in
   * webhooks.outcomes for its latest retry, or the latest attempt asked for another retry. A
   * retry record consumed and then dropped without an attempt still counts here.
   */
  retrying: number;
  deadLettered: number;
  missing: number;
  /** Webhooks answered 2xx more than once. */
  duplicates: number;
  /**
   * Webhooks answered 2xx that no published event called for: of an event the generator never
   * sequenced, or of one it wrote off as unpublished.
   */
  unexpected: number;
  /** Webhooks answered 2xx at a connection the topology does not give their event; not delivered. */
  misrouted: number;
  misroutedExamples: { seq: number; connection: number }[];
  unpublishedEvents: number;
  /** Why the first unpublished produce failed, when one did. */
  unpublishedError?: string;
  /**
   * webhooks.outcomes was read to its end. When not, `retrying` counts every webhook ever handed
   * to webhooks.retries, and a retried webhook that was lost is not told apart.
   */
  retryOutcomesRead: boolean;
  missingExamples: { seq: number; connection: number }[];
  duplicateExamples: DuplicateExample[];
  /** The outcome records of the duplicated webhooks: why the service sent them again. */
  duplicateOutcomes: {
    deliveryId: string;
    attempt: number;
    status: string;
    httpStatus: number | null;
    error: string | null;
  }[];
  webhookIdCheck: { checked: boolean; distinctIds: number; mismatches: number };
}

/** The latest outcome record of a delivery (webhooks.outcomes, in the order it was written). */
export interface LatestOutcome {
  attempt: number;
  status: string;
}

/**
 * Whether a webhook whose latest retry record is for attempt `retryAttempt` still waits for
 * that retry: nothing has been recorded since (no outcome, or only of earlier attempts), or its
 * latest attempt failed and scheduled another. Delivered, failed (dead-lettered) and skipped
 * settle it.
 */
export function retryPending(retryAttempt: number, latest: LatestOutcome | undefined): boolean {
  if (!latest || latest.status === 'retrying') return true;
  if (latest.status === 'skipped') return false;
  return latest.attempt < retryAttempt;
}

export type LedgerCounts = Pick<
  Ledger,
  'published' | 'delivered' | 'retrying' | 'deadLettered' | 'missing' | 'unexpected' | 'missingExamples'
>;

/**
 * Classifies every webhook of the published events [0, sequenced) less the unpublished, and
 * counts the deliveries outside them (`unexpected`).
 */
export function countLedger(
  topology: Topology,
  sequenced: number,
  unpublished: UnpublishedRange[],
  delivered: { has(index: number): boolean; readonly count: number },
  deadLettered: ReadonlySet<number>,
  retrying: ReadonlySet<number>,
): LedgerCounts {
  const unpublishedSeqs = new Set<number>();
  for (const { fromSeq, count } of unpublished)
    for (let seq = fromSeq; seq < fromSeq + count; seq++) unpublishedSeqs.add(seq);
  const counts = { published: 0, delivered: 0, deadLettered: 0, retrying: 0, missing: 0 };
  const missingExamples: Ledger['missingExamples'] = [];
  for (let seq = 0; seq < sequenced; seq++) {
    if (unpublishedSeqs.has(seq)) continue;
    for (let slot = 0; slot < topology.fanout; slot++) {
      counts.published++;
      const index = seq * topology.fanout + slot;
      if (delivered.has(index)) counts.delivered++;
      else if (deadLettered.has(index)) counts.deadLettered++;
      else if (retrying.has(index)) counts.retrying++;
      else {
        counts.missing++;
        if (missingExamples.length < 20)
          missingExamples.push({ seq, connection: connectionOf(topology, seq, slot) });
      }
    }
  }
  // Every delivered index is either one of those or a webhook nobody asked for.
  return { ...counts, unexpected: delivered.count - counts.delivered, missingExamples };
}

export async function buildLedger(
  kafka: Kafka,
  topology: Topology,
  connectionIds: string[],
  receiver: BenchReceiver,
  sequenced: number,
  unpublished: UnpublishedRange[],
): Promise<Ledger> {
  receiver.freeze();
  const { delivered } = receiver;
  const connectionIndex = new Map(connectionIds.map((id, index) => [id, index]));
  const indexOf = (body: string | null | undefined, connectionId: string | undefined): number | undefined => {
    const stamp = body ? readStamp(body) : undefined;
    const connection = connectionId === undefined ? undefined : connectionIndex.get(connectionId);
    // A misrouted retry or dead letter settles no webhook: the one it names is still missing.
    return stamp && connection !== undefined ? routedIndex(topology, stamp.seq, connection) : undefined;
  };

  // Read in this order, retries, outcomes, dead letters, so that a record written while they are
  // read cannot settle a webhook whose next record is missed: an attempt's retry record or dead
  // letter is written together with its outcome.
  const retried = new Map<number, { deliveryId: string; attempt: number }>();
  const retriedConnections = new Set<string>();
  await readWholeTopic(kafka, 'webhooks.retries', (message) => {
    const connectionId = message.headers?.['connection-id']?.toString();
    const index = indexOf(message.value?.toString('utf8'), connectionId);
    if (index === undefined || connectionId === undefined || delivered.has(index)) return;
    const attempt = Number(message.headers?.['attempt']?.toString() ?? 1);
    const deliveryId = message.headers?.['delivery-id']?.toString() ?? '';
    retried.set(index, { deliveryId, attempt: Math.max(attempt, retried.get(index)?.attempt ?? 0) });
    retriedConnections.add(connectionId);
  });
  const outcomes = await readOutcomes(
    kafka,
    new Set([...retried.values()].map(({ deliveryId }) => deliveryId)),
    receiver.duplicateExamples,
    new Set([
      ...retriedConnections,
      ...receiver.duplicateExamples.map(({ connection }) => connectionIds[connection]),
    ]),
  );
  const deadLettered = new Set<number>();
  await readWholeTopic(kafka, 'webhooks.dead-letter', (message) => {
    const letter = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
      original?: string;
      headers?: Record<string, string>;
    };
    const index = indexOf(letter.original, letter.headers?.['connection-id']);
    if (index !== undefined) deadLettered.add(index);
  });

  const retrying = new Set<number>();
  for (const [index, { deliveryId, attempt }] of retried) {
    if (!outcomes.complete || retryPending(attempt, outcomes.latest.get(deliveryId))) retrying.add(index);
  }
  const { misrouted } = receiver.read();
  return {
    ...countLedger(topology, sequenced, unpublished, delivered, deadLettered, retrying),
    duplicates: delivered.duplicateCount,
    misrouted,
    misroutedExamples: receiver.misroutedExamples,
    unpublishedEvents: unpublished.reduce((sum, range) => sum + range.count, 0),
    unpublishedError: unpublished.find((range) => range.error)?.error,
    retryOutcomesRead: outcomes.complete,
    duplicateExamples: receiver.duplicateExamples,
    duplicateOutcomes: outcomes.ofDuplicates,
    webhookIdCheck: delivered.idCheck(),
  };
}

/**
 * One pass over webhooks.outcomes: the latest outcome of each delivery in `retried`, and every
 * outcome of the duplicated webhooks (the service's reason for sending them again). Records
 * are keyed by connection id, so a delivery's outcomes are read in the order they were written.
 * On a long run the topic is large: when it cannot be read to its end in time, `complete` is
 * false and the duplicates' outcomes are what was found.
 */
async function readOutcomes(
  kafka: Kafka,
  retried: Set<string>,
  duplicates: DuplicateExample[],
  /** The connections of those: records of any other are skipped unparsed. */
  connections: Set<string>,
): Promise<{
  complete: boolean;
  latest: Map<string, LatestOutcome>;
  ofDuplicates: Ledger['duplicateOutcomes'];
}> {
  const duplicateIds = new Set(duplicates.flatMap(({ webhookId }) => (webhookId ? [webhookId] : [])));
  const latest = new Map<string, LatestOutcome>();
  const ofDuplicates: Ledger['duplicateOutcomes'] = [];
  if (retried.size === 0 && duplicateIds.size === 0) return { complete: true, latest, ofDuplicates };
  let complete = true;
  await readWholeTopic(kafka, 'webhooks.outcomes', (message) => {
    if (!connections.has(message.key?.toString() ?? '')) return;
    const outcome = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
      delivery_id: string;
      attempt: number;
      status: string;
      http_status: number | null;
      error: string | null;
    };
    if (retried.has(outcome.delivery_id)) {
      latest.set(outcome.delivery_id, { attempt: outcome.attempt, status: outcome.status });
    }
    if (duplicateIds.has(outcome.delivery_id)) {
      ofDuplicates.push({
        deliveryId: outcome.delivery_id,
        attempt: outcome.attempt,
        status: outcome.status,
        httpStatus: outcome.http_status,
        error: outcome.error,
      });
    }
  }).catch(() => (complete = false));
  return { complete, latest, ofDuplicates };
}
