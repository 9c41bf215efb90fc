import { outcomeSchema, type Outcome } from '@campaign-webhooks/contracts';
import {
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import type { IncidentNotifier } from './incident-notifier';
import { decodeRecord } from './record-json';

const nothingToProduce: RecordResult = { produce: [] };

/**
 * Delivery outcomes: a success ends an open incident even when no `recovered` alert follows.
 * Outcomes are keyed by connection, so those of a connection without an open incident, nearly
 * all of them, are passed over unread; judging them is the delivery log's job.
 */
export class OutcomeStage implements BatchStage {
  constructor(private readonly notifier: IncidentNotifier) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    const outcomes: Outcome[] = [];
    const results = records.map((record): RecordResult => {
      if (record.key && !this.notifier.hasOpenIncident(record.key.toString('utf8'))) return nothingToProduce;
      const decoded = decodeRecord(record, outcomeSchema, ['time']);
      if ('poison' in decoded) return decoded;
      outcomes.push(decoded.value);
      return nothingToProduce;
    });
    try {
      await this.notifier.handleOutcomes(outcomes);
    } catch (error) {
      throw new TransientError(`outcomes not handled: ${(error as Error).message}`, { cause: error });
    }
    return results;
  }
}
