import {
  AUTH_TYPES,
  CHANNELS,
  MESSAGE_EVENTS,
  placeholdersFor,
  SUBSCRIPTION_EVENTS,
  SUBSCRIPTION_SOURCES,
} from '@campaign-webhooks/contracts';
import { PROFILE_PLACEHOLDER_PREFIX } from '@campaign-webhooks/templating';
import type { CatalogDto } from './catalog.dto';

/** How the catalog writes the profile attribute placeholders, which take any attribute name. */
export const PROFILE_ATTRIBUTE_PLACEHOLDER = `${PROFILE_PLACEHOLDER_PREFIX}<attribute>`;

/** What a connection can subscribe to and what its templates can use, from the contracts' catalog. */
export function catalog(): CatalogDto {
  return {
    messageEvents: [...MESSAGE_EVENTS],
    channels: [...CHANNELS],
    subscriptionEvents: [...SUBSCRIPTION_EVENTS],
    sources: [...SUBSCRIPTION_SOURCES],
    authTypes: [...AUTH_TYPES],
    placeholders: Object.fromEntries(
      [...MESSAGE_EVENTS, ...SUBSCRIPTION_EVENTS].map((event) => [
        event,
        [...placeholdersFor(event), PROFILE_ATTRIBUTE_PLACEHOLDER],
      ]),
    ),
  };
}
