import { OUTCOME_HEADERS, outcomeSchema } from '@campaign-webhooks/contracts';
import {
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import type { DeliveryLogStore, LoggedAttempt } from '@campaign-webhooks/persistence';

const logged: RecordResult = { produce: [] };

/**
 * Writes each consumed batch of outcomes to the delivery log in one statement, shared with the
 * batches of other partitions that arrive while a write is in flight; the request body the first
 * attempt's outcome carries is kept with it, for resends.
 */
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
        body: record.headers[OUTCOME_HEADERS.requestBody] ?? null,
      });
      return logged;
    });
    await writeOrRetry(() => this.store.recordAttempts(attempts));
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
