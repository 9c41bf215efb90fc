import { connectionSnapshotSchema, type ConnectionSnapshot } from '@campaign-webhooks/contracts';

/**
 * The connections a service knows, by id and by project, fed by the connections change feed. A
 * change replaces the whole snapshot, so readers never see half an update.
 */
export class ConnectionIndex {
  private readonly byId = new Map<string, ConnectionSnapshot>();
  private readonly byProject = new Map<string, ConnectionSnapshot[]>();
  /** Ids known to be deleted, the most recent `deletionsRemembered`. */
  private readonly deleted = new Set<string>();
  private changes = 0;

  constructor(private readonly deletionsRemembered = 100_000) {}

  get size(): number {
    return this.byId.size;
  }

  /** How many changes have been applied since start. */
  get appliedChanges(): number {
    return this.changes;
  }

  get(id: string): ConnectionSnapshot | undefined {
    return this.byId.get(id);
  }

  /**
   * Whether the feed deleted this connection since the index started, or a catch-up with the feed
   * found it absent (within the index's memory).
   */
  wasDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  forProject(projectId: string): readonly ConnectionSnapshot[] {
    return this.byProject.get(projectId) ?? [];
  }

  /** Applies one change-feed record: a JSON snapshot, or null (a tombstone) for a deletion. */
  applyChange(id: string, value: Buffer | string | null): void {
    if (value === null || value.length === 0) {
      this.remove(id);
      this.rememberDeletion(id);
    } else {
      this.upsert(connectionSnapshotSchema.parse(JSON.parse(value.toString())));
    }
    this.changes++;
  }

  upsert(connection: ConnectionSnapshot): void {
    const previous = this.byId.get(connection.id);
    if (previous && previous.version > connection.version) return;
    this.remove(connection.id);
    this.byId.set(connection.id, connection);
    const siblings = this.byProject.get(connection.project_id) ?? [];
    this.byProject.set(connection.project_id, [...siblings, connection]);
  }

  rememberDeletion(id: string): void {
    this.deleted.delete(id);
    this.deleted.add(id);
    if (this.deleted.size > this.deletionsRemembered) {
      this.deleted.delete(this.deleted.values().next().value as string);
    }
  }

  remove(id: string): void {
    const previous = this.byId.get(id);
    if (!previous) return;
    this.byId.delete(id);
    const siblings = (this.byProject.get(previous.project_id) ?? []).filter((c) => c.id !== id);
    if (siblings.length > 0) this.byProject.set(previous.project_id, siblings);
    else this.byProject.delete(previous.project_id);
  }
}
