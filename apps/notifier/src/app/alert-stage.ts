import { alertSchema } from '@campaign-webhooks/contracts';
import type { BatchStage, ConsumedRecord, RecordResult } from '@campaign-webhooks/kafka';
import type { Counter } from 'prom-client';

/** Reads failure alerts; malformed ones go to the dead-letter topic. */
export class AlertStage implements BatchStage {
  constructor(private readonly alerts: Counter<'kind'>) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    return records.map((record) => {
      let json: unknown;
      try {
        json = JSON.parse(record.value?.toString('utf8') ?? 'null');
      } catch (error) {
        return { poison: `invalid_json: ${(error as Error).message}` };
      }
      const alert = alertSchema.safeParse(json);
      if (!alert.success) return { poison: `invalid_record: ${alert.error.issues[0].path.join('.')}` };
      this.alerts.inc({ kind: alert.data.kind });
      return { produce: [] };
    });
  }
}
