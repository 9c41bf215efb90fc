import { profileCacheKey, type ProfileKey } from '@campaign-webhooks/persistence';

type Attributes = Record<string, unknown>;

/** A read from the store in flight: the profiles it reads, and those changed since it began. */
interface ProfileRead {
  readonly profileIds: ReadonlySet<string>;
  readonly changed: Set<string>;
}

/**
 * Recently read profiles, including the ones that do not exist (null). Entries expire, so a
 * change applied by another replica is seen within `ttlMs`; a change applied here is forgotten at
 * once, and the next read fetches what the store kept.
 */
export class ProfileCache {
  private readonly entries = new Map<
    string,
    { profileId: string; attributes: Attributes | null; expiresAt: number }
  >();
  /** The keys in `entries` of each profile id, so a tombstone finds its profile's entries at once. */
  private readonly keysOfProfile = new Map<string, Set<string>>();
  private readonly readsOfProfile = new Map<string, Set<ProfileRead>>();

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
      this.remove(key);
      return undefined;
    }
    return entry.attributes;
  }

  /**
   * The profiles of `keys` by `profileCacheKey`, null for one that does not exist. Those not cached
   * come from `read` and are cached, unless they changed while the read was in flight: it may have
   * seen them as they were before the change.
   */
  async getOrRead(
    keys: readonly ProfileKey[],
    read: (missing: ProfileKey[]) => Promise<Map<string, Attributes>>,
  ): Promise<Map<string, Attributes | null>> {
    const profiles = new Map<string, Attributes | null>();
    const missing: ProfileKey[] = [];
    for (const key of keys) {
      const cached = this.get(key.projectId, key.profileId);
      if (cached === undefined) missing.push(key);
      else profiles.set(profileCacheKey(key.projectId, key.profileId), cached);
    }
    if (missing.length === 0) return profiles;
    const inFlight = this.startRead(missing);
    try {
      const found = await read(missing);
      for (const { projectId, profileId } of missing) {
        const attributes = found.get(profileCacheKey(projectId, profileId)) ?? null;
        profiles.set(profileCacheKey(projectId, profileId), attributes);
        if (!inFlight.changed.has(profileId)) this.set(projectId, profileId, attributes);
      }
    } finally {
      this.endRead(inFlight);
    }
    return profiles;
  }

  /** Caches a profile as the store holds it. */
  set(projectId: string, profileId: string, attributes: Attributes | null): void {
    const key = profileCacheKey(projectId, profileId);
    this.remove(key);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.entries.set(key, { profileId, attributes, expiresAt: this.now() + this.ttlMs });
    let keys = this.keysOfProfile.get(profileId);
    if (!keys) this.keysOfProfile.set(profileId, (keys = new Set()));
    keys.add(key);
  }

  /** A profile changed in one project. */
  forget(projectId: string, profileId: string): void {
    this.markChanged(profileId);
    this.remove(profileCacheKey(projectId, profileId));
  }

  /** A profile deleted in every project. */
  forgetProfile(profileId: string): void {
    this.markChanged(profileId);
    for (const key of this.keysOfProfile.get(profileId) ?? []) this.entries.delete(key);
    this.keysOfProfile.delete(profileId);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.keysOfProfile.get(entry.profileId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysOfProfile.delete(entry.profileId);
  }

  private markChanged(profileId: string): void {
    for (const read of this.readsOfProfile.get(profileId) ?? []) read.changed.add(profileId);
  }

  private startRead(keys: readonly ProfileKey[]): ProfileRead {
    const read: ProfileRead = { profileIds: new Set(keys.map((key) => key.profileId)), changed: new Set() };
    for (const profileId of read.profileIds) {
      let reads = this.readsOfProfile.get(profileId);
      if (!reads) this.readsOfProfile.set(profileId, (reads = new Set()));
      reads.add(read);
    }
    return read;
  }

  private endRead(read: ProfileRead): void {
    for (const profileId of read.profileIds) {
      const reads = this.readsOfProfile.get(profileId);
      reads?.delete(read);
      if (reads?.size === 0) this.readsOfProfile.delete(profileId);
    }
  }
}
