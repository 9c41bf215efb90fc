/** What the campaign platform can publish, and what a connection can subscribe to (CONTRACT.md §2). */

export const MESSAGE_EVENTS = [
  'message_send',
  'message_delivery',
  'message_failure',
  'message_open',
  'message_click',
  'message_dismiss',
  'message_unsubscribe',
] as const;
export type MessageEventName = (typeof MESSAGE_EVENTS)[number];

export const CHANNELS = ['email', 'sms', 'push', 'web_push', 'inapp', 'inbox', 'onsite', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SUBSCRIPTION_EVENTS = [
  'message_opt_in',
  'message_opt_out',
  'preference_opt_in',
  'preference_opt_out',
] as const;
export type SubscriptionEventName = (typeof SUBSCRIPTION_EVENTS)[number];

export const SUBSCRIPTION_SOURCES = [
  'email_unsubscribe_header',
  'ui',
  'import_csv',
  'import_api',
  'sdk',
  'preference_center',
  'integration',
] as const;
export type SubscriptionSource = (typeof SUBSCRIPTION_SOURCES)[number];

/** The property keys of a message event's default body, in the contract's order. */
export const MESSAGE_PROPERTY_KEYS = [
  'message_type',
  'campaign_id',
  'profile_id',
  'device_id',
  'trigger_id',
  'error_message',
  'user_id',
  'email',
  'external_message_id',
] as const;
export type MessagePropertyKey = (typeof MESSAGE_PROPERTY_KEYS)[number];

/** The property keys of a subscription event's default body, in the contract's order. */
export const SUBSCRIPTION_PROPERTY_KEYS = [
  'profile_id',
  'user_id',
  'email',
  'channel',
  'preference',
  'source',
] as const;
export type SubscriptionPropertyKey = (typeof SUBSCRIPTION_PROPERTY_KEYS)[number];

/** Placeholders every event offers besides its properties. */
export const ENVELOPE_PLACEHOLDERS = ['event', 'time', 'project_id', 'connection_name'] as const;

export type EventFamily = 'message' | 'subscription';

const messageEvents: ReadonlySet<string> = new Set(MESSAGE_EVENTS);
const subscriptionEvents: ReadonlySet<string> = new Set(SUBSCRIPTION_EVENTS);
const channels: ReadonlySet<string> = new Set(CHANNELS);

export function isMessageEvent(event: string): event is MessageEventName {
  return messageEvents.has(event);
}

export function isSubscriptionEvent(event: string): event is SubscriptionEventName {
  return subscriptionEvents.has(event);
}

export function isChannel(value: string): value is Channel {
  return channels.has(value);
}

export function eventFamily(event: string): EventFamily | undefined {
  if (isMessageEvent(event)) return 'message';
  if (isSubscriptionEvent(event)) return 'subscription';
  return undefined;
}

/**
 * An event's name as a metric label: records between the services carry it as text, and a label
 * fed unchecked text grows a series for every value. A name this release does not know is `other`.
 */
export function eventLabel(event: string): string {
  return eventFamily(event) === undefined ? 'other' : event;
}

/** The placeholders (without braces and without `profile.<attribute>`) an event's template may use. */
export function placeholdersFor(event: MessageEventName | SubscriptionEventName): readonly string[] {
  const properties = isMessageEvent(event) ? MESSAGE_PROPERTY_KEYS : SUBSCRIPTION_PROPERTY_KEYS;
  return [...ENVELOPE_PLACEHOLDERS, ...properties];
}

/** Sent as the webhook request's user-agent. */
export const PRODUCT_USER_AGENT = 'campaign-webhooks/0.1.0';
