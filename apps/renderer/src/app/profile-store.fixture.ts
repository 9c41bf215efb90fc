import {
  profileCacheKey,
  type ProfileKey,
  type ProfileStore,
  type ProfileUpsert,
} from '@campaign-webhooks/persistence';

/** The profiles table in memory, with the store's rules: deletions first, an older update ignored. */
export class InMemoryProfileStore implements Pick<ProfileStore, 'apply' | 'find'> {
  private readonly rows = new Map<string, ProfileUpsert>();
  /** When set, a read answers with the rows as they were when it began, once this resolves. */
  readsWaitFor?: Promise<void>;

  async apply(upserts: readonly ProfileUpsert[], deletedProfileIds: readonly string[]): Promise<void> {
    const deleted = new Set(deletedProfileIds);
    for (const [key, row] of this.rows) if (deleted.has(row.profileId)) this.rows.delete(key);
    for (const upsert of upserts) {
      const key = profileCacheKey(upsert.projectId, upsert.profileId);
      const stored = this.rows.get(key);
      if (!stored || stored.updatedAt <= upsert.updatedAt) this.rows.set(key, upsert);
    }
  }

  async find(keys: readonly ProfileKey[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (const { projectId, profileId } of keys) {
      const key = profileCacheKey(projectId, profileId);
      const row = this.rows.get(key);
      if (row) found.set(key, row.attributes);
    }
    await this.readsWaitFor;
    return found;
  }
}
