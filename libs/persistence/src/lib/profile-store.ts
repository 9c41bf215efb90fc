import type { DataSource } from 'typeorm';

export interface ProfileKey {
  projectId: string;
  profileId: string;
}

export interface ProfileUpsert extends ProfileKey {
  attributes: Record<string, unknown>;
  updatedAt: number;
}

/**
 * Profile attributes materialised from the compacted profiles topic: written and read in
 * batches, one statement each, never one per event.
 */
export class ProfileStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies a batch: the deletions, then the upserts, at most one for each profile (PostgreSQL
   * refuses a statement that writes a row twice). An update older than the stored one is ignored
   * (records may be replayed).
   */
  async apply(upserts: readonly ProfileUpsert[], deletedProfileIds: readonly string[]): Promise<void> {
    if (deletedProfileIds.length > 0) {
      await this.dataSource.query(`DELETE FROM profiles WHERE profile_id = ANY($1::text[])`, [
        deletedProfileIds,
      ]);
    }
    if (upserts.length > 0) {
      await this.dataSource.query(
        `INSERT INTO profiles (project_id, profile_id, attributes, updated_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[])
         ON CONFLICT (project_id, profile_id) DO UPDATE
           SET attributes = excluded.attributes, updated_at = excluded.updated_at
           WHERE profiles.updated_at <= excluded.updated_at`,
        [
          upserts.map((u) => u.projectId),
          upserts.map((u) => u.profileId),
          upserts.map((u) => JSON.stringify(u.attributes)),
          upserts.map((u) => u.updatedAt),
        ],
      );
    }
  }

  /** The attributes of the profiles that exist among `keys`, keyed by `projectId\0profileId`. */
  async find(keys: readonly ProfileKey[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    if (keys.length === 0) return found;
    const rows: { project_id: string; profile_id: string; attributes: Record<string, unknown> }[] =
      await this.dataSource.query(
        `SELECT p.project_id, p.profile_id, p.attributes
           FROM profiles p
           JOIN unnest($1::text[], $2::text[]) AS k(project_id, profile_id)
             ON p.project_id = k.project_id AND p.profile_id = k.profile_id`,
        [keys.map((k) => k.projectId), keys.map((k) => k.profileId)],
      );
    for (const row of rows) found.set(profileCacheKey(row.project_id, row.profile_id), row.attributes);
    return found;
  }
}

export function profileCacheKey(projectId: string, profileId: string): string {
  return `${projectId}\0${profileId}`;
}
