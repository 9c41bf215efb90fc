import { NotificationIncidentEntity } from '@campaign-webhooks/persistence';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { FAILURE_KINDS, type FailureKind, type Incident } from './incident-policy';
import type { IncidentStore } from './incident-store';

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
    await this.rows.upsert({ ...incident, resolvedAt: null }, ['connectionId']);
  }

  async update(
    connectionId: string,
    changes: Partial<{ kind: FailureKind; lastError: string; email: string }>,
  ): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.rows.update({ connectionId, resolvedAt: IsNull() }, changes);
  }

  async moveLastSent(connectionId: string, from: Date, to: Date): Promise<boolean> {
    const result = await this.rows.update(
      { connectionId, resolvedAt: IsNull(), lastSentAt: from },
      { lastSentAt: to },
    );
    return result.affected === 1;
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
