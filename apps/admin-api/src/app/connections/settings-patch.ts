import type { ConnectionEntity } from '@campaign-webhooks/persistence';
import type { PatchConnectionDto } from './connection-patch.dto';

type Settings = Pick<
  ConnectionEntity,
  | 'name'
  | 'url'
  | 'messageEvents'
  | 'channels'
  | 'subscriptionEvents'
  | 'excludeIntegrationSources'
  | 'requireExternalMessageId'
  | 'useStaticIp'
  | 'notifyOnErrorEmail'
  | 'active'
>;

const SETTINGS: readonly (keyof Settings)[] = [
  'name',
  'url',
  'messageEvents',
  'channels',
  'subscriptionEvents',
  'excludeIntegrationSources',
  'requireExternalMessageId',
  'useStaticIp',
  'notifyOnErrorEmail',
  'active',
];

/**
 * Sets each setting the patch gives (auth aside) on the connection; answers whether any differs
 * from what was stored, so an update that changes nothing leaves the version alone.
 */
export function applySettingsPatch(connection: Settings, patch: PatchConnectionDto): boolean {
  let changed = false;
  for (const key of SETTINGS) {
    const value = patch[key];
    if (value === undefined || sameValue(connection[key], value)) continue;
    (connection as Record<keyof Settings, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    changed = true;
  }
  return changed;
}

function sameValue(stored: unknown, given: unknown): boolean {
  if (Array.isArray(stored) && Array.isArray(given)) {
    return stored.length === given.length && stored.every((item, index) => item === given[index]);
  }
  return stored === given;
}
