import { alertSchema } from '@campaign-webhooks/contracts';
import {
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import type { Counter } from 'prom-client';
import type { IncidentNotifier } from './incident-notifier';
import { decodeRecord } from './record-json';

/**
 * Failure alerts into notifications, in order. Malformed alerts go to the dead-letter topic; a
 * well-formed one that cannot be handled now (mail server or database down) retries the batch,
 * which the notifier handles idempotently.
 */
export class AlertStage implements BatchStage {
  constructor(
    private readonly notifier: IncidentNotifier,
    private readonly alerts: Counter<'kind'>,
  ) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    const results: RecordResult[] = [];
    for (const record of records) {
      const decoded = decodeRecord(record, alertSchema, ['since', 'time']);
      if ('poison' in decoded) {
        results.push(decoded);
        continue;
      }
      try {
        await this.notifier.handleAlert(decoded.value);
      } catch (error) {
        throw new TransientError(`alert not handled: ${(error as Error).message}`, { cause: error });
      }
      this.alerts.inc({ kind: decoded.value.kind });
      results.push({ produce: [] });
    }
    return results;
  }
}
