import type { ConnectionIndex } from '@campaign-webhooks/connections';
import {
  DELIVERY_HEADERS,
  deliveryHeadersSchema,
  type ConnectionSnapshot,
  type DeliveryHeaders,
  type Outcome,
  type TopicNames,
} from '@campaign-webhooks/contracts';
import type { SendResult, WebhookSender } from '@campaign-webhooks/http-delivery';
import {
  deadLetterRecord,
  type BatchStage,
  type ConsumedRecord,
  type OutgoingRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import { type DeliveryMetrics, statusClass } from './delivery-metrics';

interface Attempt {
  headers: DeliveryHeaders;
  connection: ConnectionSnapshot;
  body: Buffer;
}

/** Sends each rendered body to its connection's endpoint and reports the attempt's outcome. */
export class DeliveryStage implements BatchStage {
  constructor(
    private readonly topics: TopicNames,
    private readonly connections: ConnectionIndex,
    private readonly sender: WebhookSender,
    private readonly metrics: DeliveryMetrics,
  ) {}

  handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    return Promise.all(records.map((record) => this.handle(record)));
  }

  private async handle(record: ConsumedRecord): Promise<RecordResult> {
    const parsed = deliveryHeadersSchema.safeParse(record.headers);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { poison: `invalid_record: header ${issue.path.join('.')}: ${issue.message}` };
    }
    const headers = parsed.data;
    const connection = this.connections.get(headers[DELIVERY_HEADERS.connectionId]);
    if (!connection) return { produce: [this.outcome(headers, 'skipped', { error: 'connection_deleted' })] };
    if (!connection.active)
      return { produce: [this.outcome(headers, 'skipped', { error: 'connection_inactive' })] };
    if (connection.auth_type !== 'none') {
      return {
        produce: [
          this.outcome(headers, 'failed', { error: `auth_type_unsupported: ${connection.auth_type}` }),
        ],
      };
    }
    const attempt = { headers, connection, body: record.value ?? Buffer.alloc(0) };
    return { produce: this.report(attempt, await this.send(attempt), record) };
  }

  private async send({ headers, connection, body }: Attempt): Promise<SendResult> {
    this.metrics.inFlight.inc();
    try {
      return await this.sender.send({
        url: connection.url,
        body,
        headers: {
          'webhook-id': headers[DELIVERY_HEADERS.deliveryId],
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        },
      });
    } finally {
      this.metrics.inFlight.dec();
    }
  }

  private report(
    { headers, connection }: Attempt,
    result: SendResult,
    record: ConsumedRecord,
  ): OutgoingRecord[] {
    const httpStatus = result.kind === 'response' ? result.status : null;
    const delivered = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
    const status = delivered ? 'delivered' : 'failed';
    const error = delivered
      ? null
      : result.kind === 'response'
        ? `http_${result.status}`
        : `${result.error}: ${result.message}`;
    this.metrics.attempts.inc({
      event: headers[DELIVERY_HEADERS.event],
      outcome: status,
      status_class: statusClass(httpStatus),
      auth_type: connection.auth_type,
    });
    this.metrics.duration.observe({ outcome: status }, result.durationMs / 1000);
    const produce = [this.outcome(headers, status, { httpStatus, durationMs: result.durationMs, error })];
    if (!delivered)
      produce.push(deadLetterRecord(this.topics.deadLetter, record, `delivery_failed: ${error}`));
    return produce;
  }

  private outcome(
    headers: DeliveryHeaders,
    status: Outcome['status'],
    detail: { httpStatus?: number | null; durationMs?: number; error?: string | null },
  ): OutgoingRecord {
    const outcome: Outcome = {
      delivery_id: headers[DELIVERY_HEADERS.deliveryId],
      connection_id: headers[DELIVERY_HEADERS.connectionId],
      project_id: headers[DELIVERY_HEADERS.projectId],
      event: headers[DELIVERY_HEADERS.event],
      attempt: headers[DELIVERY_HEADERS.attempt],
      status,
      http_status: detail.httpStatus ?? null,
      duration_ms: detail.durationMs === undefined ? null : Math.round(detail.durationMs),
      error: detail.error ?? null,
      next_attempt_at: null,
      time: new Date().toISOString(),
    };
    return { topic: this.topics.outcomes, key: outcome.connection_id, value: JSON.stringify(outcome) };
  }
}
