import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyGrant } from '../../config';

/**
 * Which project an API key belongs to. Keys are held only as SHA-256 digests and compared in
 * constant time, so neither memory dumps nor response timing give a key away.
 */
export class ApiKeyRing {
  private readonly grants: { digest: Buffer; projectId: string }[];

  constructor(grants: readonly ApiKeyGrant[]) {
    this.grants = grants.map(({ key, projectId }) => ({ digest: digest(key), projectId }));
  }

  projectFor(presentedKey: string): string | undefined {
    const presented = digest(presentedKey);
    let projectId: string | undefined;
    for (const grant of this.grants) {
      if (timingSafeEqual(grant.digest, presented)) projectId = grant.projectId;
    }
    return projectId;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
