import { isUtf8 } from 'node:buffer';
import {
  ConnectionIndex,
  matchMessageEvent,
  matchSubscriptionEvent,
  type MatchDecision,
} from '@campaign-webhooks/connections';
import {
  isChannel,
  isMessageEvent,
  isSubscriptionEvent,
  messageEventSchema,
  skippedOutcome,
  subscriptionEventSchema,
  type ConnectionSnapshot,
  type MatchedEvent,
  type TopicNames,
} from '@campaign-webhooks/contracts';
import type { BatchStage, ConsumedRecord, OutgoingRecord, RecordResult } from '@campaign-webhooks/kafka';
import { z } from 'zod';
import { deliveryId } from './delivery-id';
import type { FilterMetrics } from './filter-metrics';

/** Turns each input record into one matched record per connection that wants it. */
export class FilterStage implements BatchStage {
  constructor(
    private readonly topics: TopicNames,
    private readonly connections: ConnectionIndex,
    private readonly metrics: FilterMetrics,
    private readonly deliveryIdNamespace?: string,
  ) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    return records.map((record) => this.handle(record));
  }

  private handle(record: ConsumedRecord): RecordResult {
    if (record.value === null) return { poison: 'empty_value: the record has no value' };
    // Decoding would replace the bytes that are not UTF-8 and deliver the event altered.
    if (!isUtf8(record.value)) return { poison: 'invalid_utf8: the value is not UTF-8 text' };
    let json: unknown;
    try {
      json = JSON.parse(record.value.toString('utf8'));
    } catch (error) {
      return { poison: `invalid_json: ${(error as Error).message}` };
    }
    return record.topic === this.topics.subscriptionEvents
      ? this.handleSubscriptionEvent(record, json)
      : this.handleMessageEvent(record, json);
  }

  private handleMessageEvent(record: ConsumedRecord, json: unknown): RecordResult {
    const name = eventName(json);
    if (name !== undefined && !isMessageEvent(name)) return this.skipUnknown('unknown_event');
    const parsed = messageEventSchema.safeParse(json);
    if (!parsed.success) return { poison: invalidRecord(parsed.error) };
    const event = parsed.data;
    const channel = event.properties.message_type;
    // No connection can select a channel the contract does not list.
    if (!isChannel(channel)) return this.skipUnknown('unknown_channel');
    return this.fanOut(record, event, 'message', channel, (connection) =>
      matchMessageEvent(connection, event),
    );
  }

  private handleSubscriptionEvent(record: ConsumedRecord, json: unknown): RecordResult {
    const name = eventName(json);
    if (name !== undefined && !isSubscriptionEvent(name)) return this.skipUnknown('unknown_event');
    const parsed = subscriptionEventSchema.safeParse(json);
    if (!parsed.success) return { poison: invalidRecord(parsed.error) };
    const event = parsed.data;
    const channel = event.properties.channel ?? 'none';
    return this.fanOut(record, event, 'subscription', channel, (connection) =>
      matchSubscriptionEvent(connection, event),
    );
  }

  private fanOut(
    record: ConsumedRecord,
    event: { event: string; time: number; project_id: string; properties: Record<string, unknown> },
    family: MatchedEvent['family'],
    channel: string,
    decide: (connection: ConnectionSnapshot) => MatchDecision,
  ): RecordResult {
    const produce: OutgoingRecord[] = [];
    for (const connection of this.connections.forProject(event.project_id)) {
      const decision = decide(connection);
      if (decision.kind === 'no-match') continue;
      const id = deliveryId(
        record.topic,
        record.partition,
        record.offset,
        connection.id,
        this.deliveryIdNamespace,
      );
      if (decision.kind === 'skip') {
        this.metrics.skipped.inc({ reason: decision.reason });
        produce.push(this.skippedOutcome(id, connection, event.event, decision.reason));
        continue;
      }
      const matched: MatchedEvent = {
        delivery_id: id,
        connection_id: connection.id,
        connection_version: connection.version,
        project_id: event.project_id,
        family,
        event: event.event,
        time: event.time,
        properties: event.properties,
      };
      const value = serialised(matched);
      if (value === undefined) return { poison: 'invalid_record: properties nested too deeply to pass on' };
      this.metrics.matched.inc({ event: event.event, channel: boundedChannel(channel) });
      produce.push({ topic: this.topics.matched, key: connection.id, value });
    }
    if (produce.length === 0) this.metrics.skipped.inc({ reason: 'no_connection' });
    return { produce };
  }

  private skippedOutcome(
    id: string,
    connection: ConnectionSnapshot,
    event: string,
    reason: string,
  ): OutgoingRecord {
    const outcome = skippedOutcome(
      { delivery_id: id, connection_id: connection.id, project_id: connection.project_id, event },
      reason,
    );
    return { topic: this.topics.outcomes, key: connection.id, value: JSON.stringify(outcome) };
  }

  private skipUnknown(reason: 'unknown_event' | 'unknown_channel'): RecordResult {
    this.metrics.skipped.inc({ reason });
    return { produce: [] };
  }
}

/**
 * The record's event name, looked at before the rest: an event this system does not know yet may
 * carry properties of another shape, and is skipped rather than dead-lettered. Undefined when the
 * record names none, which the schema then refuses.
 */
function eventName(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const name = (json as { event?: unknown }).event;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** The JSON text, or undefined for a value nested deeper than JSON.stringify's stack allows. */
function serialised(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function invalidRecord(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : '(record)';
  return `invalid_record: ${field}: ${issue.message}`;
}

const knownChannels = new Set([
  'email',
  'sms',
  'push',
  'web_push',
  'inapp',
  'inbox',
  'onsite',
  'whatsapp',
  'none',
]);

function boundedChannel(channel: string): string {
  return knownChannels.has(channel) ? channel : 'other';
}
