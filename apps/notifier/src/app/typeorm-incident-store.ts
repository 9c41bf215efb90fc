import { NotificationIncidentEntity } from '@campaign-webhooks/persistence';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { FAILURE_KINDS, type FailureKind, type Incident } from './incident-policy';
import type { IncidentClaim, IncidentStore } from './incident-store';

/** Incidents in PostgreSQL (`notification_incidents`, one row per connection). */
export class TypeOrmIncidentStore implements IncidentStore {
  private readonly rows: Repository<NotificationIncidentEntity>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(NotificationIncidentEntity);
  }

  async find(connectionId: string): Promise<Incident | undefined> {
    const row = await this.rows.findOneBy({ connectionId });
    return row ? toIncident(row) : undefined;
  }

  async listOpen(): Promise<Incident[]> {
    const rows = await this.rows.find({ where: { resolvedAt: IsNull() }, order: { lastSentAt: 'ASC' } });
    return rows.map(toIncident);
  }

  async open(incident: Incident): Promise<void> {
    await this.rows.upsert({ ...incident, resolvedAt: null, claimedUntil: null }, ['connectionId']);
  }

  async update(
    connectionId: string,
    changes: Partial<{ kind: FailureKind; lastError: string; email: string; lastSentAt: Date }>,
  ): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.rows.update({ connectionId, resolvedAt: IsNull() }, changes);
  }

  async claim(connectionId: string, leaseMs: number): Promise<IncidentClaim | undefined> {
    // One statement: of two replicas claiming at once, PostgreSQL lets the second re-check the
    // condition against the first's claim. Whole milliseconds, so that a release can name it.
    const result = await this.rows
      .createQueryBuilder()
      .update()
      .set({ claimedUntil: () => `date_trunc('milliseconds', now() + make_interval(secs => :seconds))` })
      .where('connection_id = :connectionId AND resolved_at IS NULL', { connectionId })
      .andWhere('(claimed_until IS NULL OR claimed_until <= now())')
      .setParameter('seconds', leaseMs / 1000)
      .returning('claimed_until')
      .execute();
    const claimed = (result.raw as { claimed_until: Date }[])[0];
    if (!claimed) return undefined;
    const incident = await this.find(connectionId);
    return incident && { incident, until: claimed.claimed_until };
  }

  async release(connectionId: string, until: Date): Promise<void> {
    await this.rows.update({ connectionId, claimedUntil: until }, { claimedUntil: null });
  }

  async resolve(connectionId: string, resolvedAt: Date): Promise<void> {
    await this.rows.update({ connectionId, resolvedAt: IsNull() }, { resolvedAt });
  }
}

function toIncident(row: NotificationIncidentEntity): Incident {
  return {
    connectionId: row.connectionId,
    projectId: row.projectId,
    email: row.email,
    kind: (FAILURE_KINDS as readonly string[]).includes(row.kind)
      ? (row.kind as FailureKind)
      : 'endpoint_failing',
    since: row.since,
    lastError: row.lastError,
    lastSentAt: row.lastSentAt,
    resolvedAt: row.resolvedAt,
  };
}
