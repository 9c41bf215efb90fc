import { profileRecordSchema } from '@campaign-webhooks/contracts';
import {
  TransientError,
  type BatchStage,
  type ConsumedRecord,
  type RecordResult,
} from '@campaign-webhooks/kafka';
import type { ProfileStore, ProfileUpsert } from '@campaign-webhooks/persistence';
import type { ProfileCache } from './profile-cache';

/** Materialises the compacted profiles topic into PostgreSQL, one statement per batch. */
export class ProfileStage implements BatchStage {
  constructor(
    private readonly store: ProfileStore,
    private readonly cache: ProfileCache,
  ) {}

  async handleBatch(records: ConsumedRecord[]): Promise<RecordResult[]> {
    const upserts: ProfileUpsert[] = [];
    const deleted: string[] = [];
    const results: RecordResult[] = records.map((record) => {
      if (record.value === null) {
        const profileId = record.key?.toString();
        if (!profileId) return { poison: 'invalid_record: a tombstone without a key' };
        deleted.push(profileId);
        return { produce: [] };
      }
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
      const { project_id, profile_id, attributes, updated_at } = parsed.data;
      upserts.push({ projectId: project_id, profileId: profile_id, attributes, updatedAt: updated_at });
      return { produce: [] };
    });
    try {
      await this.store.apply(upserts, deleted);
    } catch (error) {
      throw new TransientError(`profiles not stored: ${(error as Error).message}`);
    }
    for (const { projectId, profileId, attributes } of upserts)
      this.cache.set(projectId, profileId, attributes);
    for (const profileId of deleted) this.cache.forgetProfile(profileId);
    return results;
  }
}
