import { OUTCOME_HEADERS } from '@campaign-webhooks/contracts';
import { PoisonRecordError, TransientError, type ConsumedRecord } from '@campaign-webhooks/kafka';
import type { DeliveryLogStore, LoggedAttempt } from '@campaign-webhooks/persistence';
import { AttemptLogStage } from './delivery-log-stages';

function outcomeRecord(offset: number, time: string): ConsumedRecord {
  const outcome = {
    delivery_id: `d-${offset}`,
    connection_id: 'c-1',
    project_id: 'acme',
    event: 'message_open',
    attempt: 1,
    status: 'delivered',
    http_status: 200,
    duration_ms: 12,
    error: null,
    next_attempt_at: null,
    time,
  };
  return {
    topic: 'webhooks.outcomes',
    partition: 0,
    offset: String(offset),
    key: Buffer.from('c-1'),
    value: Buffer.from(JSON.stringify(outcome)),
    headers: {},
    timestamp: 0,
  };
}

/** Refuses, as PostgreSQL would, any statement carrying a row whose time is not a time. */
class RefusingStore {
  readonly written: LoggedAttempt[] = [];
  failure: Error | undefined;

  async recordAttempts(attempts: readonly LoggedAttempt[]): Promise<void> {
    if (this.failure) throw this.failure;
    const bad = attempts.find((attempt) => Number.isNaN(Date.parse(attempt.time)));
    if (bad) {
      throw Object.assign(
        new Error(`invalid input syntax for type timestamp with time zone: "${bad.time}"`),
        {
          code: '22007',
        },
      );
    }
    this.written.push(...attempts);
  }
}

describe('AttemptLogStage', () => {
  const now = new Date().toISOString();

  it('refuses a batch the database refuses as data, naming the reason, and writes it without the refused row', async () => {
    const store = new RefusingStore();
    const stage = new AttemptLogStage(store as unknown as DeliveryLogStore);

    const refusal = stage.handleBatch([outcomeRecord(1, now), outcomeRecord(2, 'not a time')]);
    await expect(refusal).rejects.toThrow(PoisonRecordError);
    await expect(refusal).rejects.toMatchObject({
      reason: expect.stringMatching(/^invalid_record: the delivery log refused it: invalid input syntax/),
    });
    expect(store.written).toEqual([]);

    // What the consumer does next: the batch again, record by record.
    expect(await stage.handleBatch([outcomeRecord(1, now)])).toEqual([{ produce: [] }]);
    expect(store.written.map((attempt) => attempt.deliveryId)).toEqual(['d-1']);
  });

  it('logs a test send as one, with its body', async () => {
    const store = new RefusingStore();
    const stage = new AttemptLogStage(store as unknown as DeliveryLogStore);
    const testSend = outcomeRecord(2, now);
    testSend.headers = { [OUTCOME_HEADERS.requestBody]: '{"n":2}', [OUTCOME_HEADERS.testSend]: 'true' };

    await stage.handleBatch([outcomeRecord(1, now), testSend]);

    expect(store.written.map(({ deliveryId, body, testSend }) => ({ deliveryId, body, testSend }))).toEqual([
      { deliveryId: 'd-1', body: null, testSend: false },
      { deliveryId: 'd-2', body: '{"n":2}', testSend: true },
    ]);
  });

  it('retries the batch when the database fails for another reason', async () => {
    const store = new RefusingStore();
    store.failure = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const stage = new AttemptLogStage(store as unknown as DeliveryLogStore);

    await expect(stage.handleBatch([outcomeRecord(1, now)])).rejects.toThrow(TransientError);
    expect(store.written).toEqual([]);
  });
});
