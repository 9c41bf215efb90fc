import type { ConnectionIndex } from '@campaign-webhooks/connections';
import {
  DELIVERY_HEADERS,
  matchedEventSchema,
  type MatchedEvent,
  type Outcome,
  type TopicNames,
} from '@campaign-webhooks/contracts';
import type { BatchStage, ConsumedRecord, RecordResult } from '@campaign-webhooks/kafka';
import { renderDefaultBody } from '@campaign-webhooks/templating';
import type { Counter } from 'prom-client';

/** Turns each matched event into the exact request body its connection receives. */
export class RenderStage implements BatchStage {
  constructor(
    private readonly topics: TopicNames,
    private readonly connections: ConnectionIndex,
    private readonly rendered: Counter<'event'>,
  ) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    return records.map((record) => this.handle(record));
  }

  private handle(record: ConsumedRecord): RecordResult {
    let matched: MatchedEvent;
    try {
      matched = matchedEventSchema.parse(JSON.parse(record.value?.toString('utf8') ?? 'null'));
    } catch (error) {
      return { poison: `invalid_record: ${(error as Error).message.slice(0, 500)}` };
    }
    const connection = this.connections.get(matched.connection_id);
    if (!connection) return { produce: [this.skipped(matched, 'connection_deleted')] };

    const body = renderDefaultBody(matched);
    this.rendered.inc({ event: matched.event });
    return {
      produce: [
        {
          topic: this.topics.deliveries,
          key: matched.connection_id,
          value: body,
          headers: {
            [DELIVERY_HEADERS.deliveryId]: matched.delivery_id,
            [DELIVERY_HEADERS.connectionId]: matched.connection_id,
            [DELIVERY_HEADERS.projectId]: matched.project_id,
            [DELIVERY_HEADERS.event]: matched.event,
            [DELIVERY_HEADERS.attempt]: '1',
          },
        },
      ],
    };
  }

  private skipped(matched: MatchedEvent, reason: string) {
    const outcome: Outcome = {
      delivery_id: matched.delivery_id,
      connection_id: matched.connection_id,
      project_id: matched.project_id,
      event: matched.event,
      attempt: 0,
      status: 'skipped',
      http_status: null,
      duration_ms: null,
      error: reason,
      next_attempt_at: null,
      time: new Date().toISOString(),
    };
    return { topic: this.topics.outcomes, key: matched.connection_id, value: JSON.stringify(outcome) };
  }
}
