import { isMessageEvent, MessageEventName, SubscriptionEventName } from '@campaign-webhooks/contracts';
import { placeholderText } from './placeholder';
import { propertyKeysFor } from './property-keys';

/** The default body written as a template: what the admin API shows for an event never edited. */
export interface DefaultTemplate {
  event: string;
  time: string;
  properties: Record<string, string>;
}

/**
 * The default body of an event with every value a placeholder; rendered, it gives exactly the
 * default body (`"{{time}}"` stays a number because a whole-string placeholder keeps its type).
 */
export function defaultTemplate(event: MessageEventName | SubscriptionEventName): DefaultTemplate {
  const family = isMessageEvent(event) ? 'message' : 'subscription';
  const properties: Record<string, string> = {};
  for (const key of propertyKeysFor(family)) properties[key] = placeholderText(key);
  return { event: placeholderText('event'), time: placeholderText('time'), properties };
}
