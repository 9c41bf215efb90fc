import { DELIVERY_HEADERS, deliveryHeadersSchema, outcomeSchema } from '@campaign-webhooks/contracts';
import {
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import type { DeliveryLogStore, LoggedAttempt, LoggedRequest } from '@campaign-webhooks/persistence';

const logged: RecordResult = { produce: [] };

/** Writes each consumed batch of outcomes to the delivery log in one statement. */
export class AttemptLogStage implements BatchStage {
  constructor(private readonly store: DeliveryLogStore) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    const attempts: LoggedAttempt[] = [];
    const results = records.map((record): RecordResult => {
      let outcome;
      try {
        outcome = outcomeSchema.parse(JSON.parse(record.value?.toString('utf8') ?? 'null'));
      } catch (error) {
        return { poison: `invalid_record: ${(error as Error).message.slice(0, 300)}` };
      }
      attempts.push({
        deliveryId: outcome.delivery_id,
        connectionId: outcome.connection_id,
        projectId: outcome.project_id,
        event: outcome.event,
        attempt: outcome.attempt,
        status: outcome.status,
        httpStatus: outcome.http_status,
        durationMs: outcome.duration_ms === null ? null : Math.round(outcome.duration_ms),
        error: outcome.error,
        nextAttemptAt: outcome.next_attempt_at,
        time: outcome.time,
      });
      return logged;
    });
    await writeOrRetry(() => this.store.recordAttempts(attempts));
    return results;
  }
}

/** Keeps the body of each delivery (its first record on the deliveries topic) for resends. */
export class RequestLogStage implements BatchStage {
  constructor(private readonly store: DeliveryLogStore) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    const requests: LoggedRequest[] = [];
    const results = records.map((record): RecordResult => {
      const headers = deliveryHeadersSchema.safeParse(record.headers);
      // The delivery service dead-letters malformed records of this topic; the log just skips them.
      if (!headers.success) return logged;
      requests.push({
        deliveryId: headers.data[DELIVERY_HEADERS.deliveryId],
        connectionId: headers.data[DELIVERY_HEADERS.connectionId],
        projectId: headers.data[DELIVERY_HEADERS.projectId],
        event: headers.data[DELIVERY_HEADERS.event],
        body: record.value?.toString('utf8') ?? '',
        createdAt: new Date(record.timestamp).toISOString(),
      });
      return logged;
    });
    await writeOrRetry(() => this.store.recordRequests(requests));
    return results;
  }
}

async function writeOrRetry(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new TransientError(`delivery log not written: ${(error as Error).message}`);
  }
}
