import { OUTCOME_HEADERS, outcomeSchema } from '@campaign-webhooks/contracts';
import {
  PoisonRecordError,
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import { refusedAsData, type DeliveryLogStore, type LoggedAttempt } from '@campaign-webhooks/persistence';

const logged: RecordResult = { produce: [] };

/**
 * Writes each consumed batch of outcomes to the delivery log in one statement, shared with the
 * batches of other partitions that arrive while a write is in flight; the request body the first
 * attempt's outcome carries is kept with it, for resends. An outcome the database refuses as data
 * goes to the dead-letter topic; any other failure retries the batch.
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
        testSend: record.headers[OUTCOME_HEADERS.testSend] === 'true',
      });
      return logged;
    });
    try {
      await this.store.recordAttempts(attempts);
    } catch (error) {
      const message = (error as Error).message;
      // The consumer then runs the batch record by record, and only the refused one is dead-lettered.
      if (refusedAsData(error)) {
        throw new PoisonRecordError(`invalid_record: the delivery log refused it: ${message.slice(0, 300)}`);
      }
      throw new TransientError(`delivery log not written: ${message}`);
    }
    return results;
  }
}
