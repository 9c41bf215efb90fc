import { alertSchema, type ConnectionSnapshot } from '@campaign-webhooks/contracts';
import {
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import { refusedAsData } from '@campaign-webhooks/persistence';
import type { Counter } from 'prom-client';
import type { IncidentNotifier } from './incident-notifier';
import { decodeRecord } from './record-json';

/**
 * Failure alerts into notifications, in order. Malformed alerts go to the dead-letter topic, as
 * do alerts naming another project than their connection's, and alerts the database refuses; a
 * well-formed one that cannot be handled now (mail server or database down) retries the batch,
 * which the notifier handles idempotently.
 */
export class AlertStage implements BatchStage {
  constructor(
    private readonly notifier: IncidentNotifier,
    private readonly connections: { get(id: string): ConnectionSnapshot | undefined },
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
      const alert = decoded.value;
      const connection = this.connections.get(alert.connection_id);
      if (connection && connection.project_id !== alert.project_id) {
        results.push({ poison: "invalid_record: project_id is not the connection's project" });
        continue;
      }
      try {
        await this.notifier.handleAlert(alert);
      } catch (error) {
        const message = (error as Error).message;
        if (refusedAsData(error)) {
          results.push({ poison: `invalid_record: the database refused it: ${message.slice(0, 300)}` });
          continue;
        }
        throw new TransientError(`alert not handled: ${message}`, { cause: error });
      }
      this.alerts.inc({ kind: alert.kind });
      results.push({ produce: [] });
    }
    return results;
  }
}
