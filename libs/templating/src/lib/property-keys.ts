import { EventFamily, MESSAGE_PROPERTY_KEYS, SUBSCRIPTION_PROPERTY_KEYS } from '@campaign-webhooks/contracts';

/** The property keys of a family's default body, in the contract's order. */
export function propertyKeysFor(family: EventFamily): readonly string[] {
  return family === 'message' ? MESSAGE_PROPERTY_KEYS : SUBSCRIPTION_PROPERTY_KEYS;
}
