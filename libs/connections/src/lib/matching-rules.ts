import type { ConnectionSnapshot, MessageEvent, SubscriptionEvent } from '@campaign-webhooks/contracts';

export type MatchDecision =
  | { kind: 'match' }
  /** The connection wants this kind of event but a rule keeps this one back; an outcome says why. */
  | { kind: 'skip'; reason: string }
  | { kind: 'no-match' };

const match: MatchDecision = { kind: 'match' };
const noMatch: MatchDecision = { kind: 'no-match' };

/** Whether a connection gets a message event: same project, active, the event and the channel selected. */
export function matchMessageEvent(connection: ConnectionSnapshot, event: MessageEvent): MatchDecision {
  if (!connection.active || connection.project_id !== event.project_id) return noMatch;
  if (!(connection.message_events as readonly string[]).includes(event.event)) return noMatch;
  if (!(connection.channels as readonly string[]).includes(event.properties.message_type)) return noMatch;
  if (connection.require_external_message_id && !event.properties.external_message_id) {
    return { kind: 'skip', reason: 'external_message_id_missing' };
  }
  return match;
}

/** Whether a connection gets a subscription change, honouring "exclude changes made by integrations". */
export function matchSubscriptionEvent(
  connection: ConnectionSnapshot,
  event: SubscriptionEvent,
): MatchDecision {
  if (!connection.active || connection.project_id !== event.project_id) return noMatch;
  if (!(connection.subscription_events as readonly string[]).includes(event.event)) return noMatch;
  if (connection.exclude_integration_sources && event.properties.source === 'integration') return noMatch;
  return match;
}
