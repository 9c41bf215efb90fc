import { isUtf8 } from 'node:buffer';
import { profileRecordSchema } from '@campaign-webhooks/contracts';
import {
  PoisonRecordError,
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import {
  profileCacheKey,
  containsNul,
  NUL_REFUSED,
  refusedAsData,
  type ProfileStore,
  type ProfileUpsert,
} from '@campaign-webhooks/persistence';
import type { ProfileCache } from './profile-cache';

/** Materialises the compacted profiles topic into PostgreSQL, one statement per batch. */
export class ProfileStage implements BatchStage {
  constructor(
    private readonly store: Pick<ProfileStore, 'apply'>,
    private readonly cache: ProfileCache,
  ) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    const changes = new ProfileChanges();
    const results: RecordResult[] = records.map((record) => {
      if (record.value === null) {
        const profileId = record.key?.toString();
        if (!profileId) return { poison: 'invalid_record: a tombstone without a key' };
        if (containsNul(profileId)) return { poison: `invalid_record: key: ${NUL_REFUSED}` };
        changes.delete(profileId);
        return { produce: [] };
      }
      if (!isUtf8(record.value)) return { poison: 'invalid_utf8: the value is not UTF-8 text' };
      let json: unknown;
      try {
        json = JSON.parse(record.value.toString('utf8'));
      } catch (error) {
        return { poison: `invalid_json: ${(error as Error).message}` };
      }
      const parsed = profileRecordSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { poison: `invalid_record: ${issue.path.join('.') || '(record)'}: ${issue.message}` };
      }
      if (containsNul(parsed.data)) return { poison: `invalid_record: ${NUL_REFUSED}` };
      const { project_id, profile_id, attributes, updated_at } = parsed.data;
      changes.upsert({ projectId: project_id, profileId: profile_id, attributes, updatedAt: updated_at });
      return { produce: [] };
    });
    try {
      await this.store.apply(changes.upserts, changes.deleted);
    } catch (error) {
      const message = (error as Error).message;
      // The consumer then runs the batch record by record, and only the refused one is dead-lettered.
      if (refusedAsData(error))
        throw new PoisonRecordError(`invalid_record: profiles refused it: ${message}`);
      throw new TransientError(`profiles not stored: ${message}`);
    }
    for (const profileId of changes.deleted) this.cache.forgetProfile(profileId);
    // The store ignores an update older than the row it holds: the next read fetches what it kept.
    for (const { projectId, profileId } of changes.upserts) this.cache.forget(projectId, profileId);
    return results;
  }
}

/**
 * A batch's changes as the profiles stand at its end: each deletion, and for each profile the
 * newest update made after its last deletion. Applied deletions first, they give the same result
 * as the records one by one.
 */
class ProfileChanges {
  private readonly latest = new Map<string, ProfileUpsert>();
  /** The keys in `latest` of each profile id, so a deletion finds its profile's updates at once. */
  private readonly keysOf = new Map<string, Set<string>>();
  private readonly deletedIds = new Set<string>();

  get upserts(): ProfileUpsert[] {
    return [...this.latest.values()];
  }

  get deleted(): string[] {
    return [...this.deletedIds];
  }

  upsert(update: ProfileUpsert): void {
    const key = profileCacheKey(update.projectId, update.profileId);
    const before = this.latest.get(key);
    if (before && before.updatedAt > update.updatedAt) return;
    this.latest.set(key, update);
    let keys = this.keysOf.get(update.profileId);
    if (!keys) this.keysOf.set(update.profileId, (keys = new Set()));
    keys.add(key);
  }

  /** A tombstone is keyed by the profile id alone: it deletes the profile in every project. */
  delete(profileId: string): void {
    this.deletedIds.add(profileId);
    for (const key of this.keysOf.get(profileId) ?? []) this.latest.delete(key);
    this.keysOf.delete(profileId);
  }
}
