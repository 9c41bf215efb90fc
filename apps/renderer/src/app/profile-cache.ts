import { profileCacheKey } from '@campaign-webhooks/persistence';

type Attributes = Record<string, unknown>;

/**
 * Recently read profiles, including the ones that do not exist (null). Entries expire, so a
 * change applied by another replica is seen within `ttlMs`; changes applied here update it at once.
 */
export class ProfileCache {
  private readonly entries = new Map<string, { attributes: Attributes | null; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached attributes, null for a profile known not to exist, undefined when not cached. */
  get(projectId: string, profileId: string): Attributes | null | undefined {
    const key = profileCacheKey(projectId, profileId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.attributes;
  }

  set(projectId: string, profileId: string, attributes: Attributes | null): void {
    const key = profileCacheKey(projectId, profileId);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { attributes, expiresAt: this.now() + this.ttlMs });
  }

  forgetProfile(profileId: string): void {
    for (const key of this.entries.keys()) if (key.endsWith(`\0${profileId}`)) this.entries.delete(key);
  }
}
