import type { Kafka } from 'kafkajs';
import { readStamp } from './bench-event';
import type { BenchReceiver, DuplicateExample } from './bench-receiver';
import type { UnpublishedRange } from './open-loop-generator';
import { readWholeTopic } from './topic-reader';
import { connectionOf, webhookIndex, type Topology } from './topology';

/**
 * Where every webhook the published events called for ended up. Each is counted once, in the
 * first of: delivered (answered 2xx at the receiver), dead-lettered (in webhooks.dead-letter),
 * retrying (handed to webhooks.retries and not yet delivered), missing (none of those).
 */
export interface Ledger {
  published: number;
  delivered: number;
  retrying: number;
  deadLettered: number;
  missing: number;
  /** Webhooks answered 2xx more than once. */
  duplicates: number;
  unpublishedEvents: number;
  balanced: boolean;
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
    return stamp && connection !== undefined ? webhookIndex(topology, stamp.seq, connection) : undefined;
  };

  const deadLettered = new Set<number>();
  await readWholeTopic(kafka, 'webhooks.dead-letter', (message) => {
    const letter = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
      original?: string;
      headers?: Record<string, string>;
    };
    const index = indexOf(letter.original, letter.headers?.['connection-id']);
    if (index !== undefined && !delivered.has(index)) deadLettered.add(index);
  });
  const retrying = new Set<number>();
  await readWholeTopic(kafka, 'webhooks.retries', (message) => {
    const index = indexOf(message.value?.toString('utf8'), message.headers?.['connection-id']?.toString());
    if (index !== undefined && !delivered.has(index) && !deadLettered.has(index)) retrying.add(index);
  });

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
  return {
    ...counts,
    duplicateOutcomes: await outcomesOf(kafka, receiver.duplicateExamples, connectionIds),
    duplicates: delivered.duplicateCount,
    unpublishedEvents: unpublishedSeqs.size,
    balanced: counts.published === counts.delivered + counts.retrying + counts.deadLettered + counts.missing,
    missingExamples,
    duplicateExamples: receiver.duplicateExamples,
    webhookIdCheck: delivered.idCheck(),
  };
}

/** Outcome records of a few duplicated webhooks, read from webhooks.outcomes (keyed by connection id). */
async function outcomesOf(
  kafka: Kafka,
  duplicates: DuplicateExample[],
  connectionIds: string[],
): Promise<Ledger['duplicateOutcomes']> {
  const ids = new Set(duplicates.flatMap(({ webhookId }) => (webhookId ? [webhookId] : [])));
  if (ids.size === 0) return [];
  const keys = new Set(duplicates.map(({ connection }) => connectionIds[connection]));
  const found: Ledger['duplicateOutcomes'] = [];
  // Best effort: on a long run the topic is large, and what was found by the time limit will do.
  const reading = readWholeTopic(kafka, 'webhooks.outcomes', (message) => {
    if (!keys.has(message.key?.toString() ?? '')) return;
    const outcome = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
      delivery_id: string;
      attempt: number;
      status: string;
      http_status: number | null;
      error: string | null;
    };
    if (!ids.has(outcome.delivery_id)) return;
    found.push({
      deliveryId: outcome.delivery_id,
      attempt: outcome.attempt,
      status: outcome.status,
      httpStatus: outcome.http_status,
      error: outcome.error,
    });
  });
  await reading.catch(() => undefined);
  return found;
}
