import type { DataSource } from 'typeorm';
import type { AttemptsSince, DeliveryLog } from './delivery-log';
import type { Incident } from './incident-policy';

/**
 * Attempts a tick looks at per incident, newest first. It bounds the query's cost when a busy
 * connection has been failing for hours; a success older than that many newer failures is left
 * unseen, and the incident, failing again by then, repeats as it would have anyway.
 */
export const RECENT_ATTEMPTS_LOOKED_AT = 500;

/**
 * Per incident, one walk down delivery_attempts_connection_time_idx (connection_id, time DESC)
 * from the newest attempt, stopping at `since` or after RECENT_ATTEMPTS_LOOKED_AT attempts, in
 * partitions no older than `since`. Test sends are left out: a test that gets through says
 * nothing of the deliveries still failing.
 */
const ATTEMPTS_SINCE = `
  SELECT i.connection_id,
         max(recent.time) FILTER (WHERE recent.status = 'delivered') AS delivered_at,
         (array_agg(recent.error ORDER BY recent.time DESC)
            FILTER (WHERE recent.status NOT IN ('delivered', 'skipped') AND recent.error IS NOT NULL))[1]
           AS last_error
    FROM unnest($1::text[], $2::timestamptz[]) AS i (connection_id, since)
    LEFT JOIN LATERAL (
      SELECT a.time, a.status, a.error FROM delivery_attempts a
       WHERE a.connection_id = i.connection_id AND a.time > i.since AND NOT a.test_send
       ORDER BY a.time DESC LIMIT ${RECENT_ATTEMPTS_LOOKED_AT}
    ) recent ON true
   GROUP BY i.connection_id`;

/** The delivery log in PostgreSQL, the same database the incidents are kept in. */
export class TypeOrmDeliveryLog implements DeliveryLog {
  constructor(private readonly dataSource: DataSource) {}

  async attemptsSince(
    incidents: readonly Pick<Incident, 'connectionId' | 'since'>[],
  ): Promise<Map<string, AttemptsSince>> {
    if (incidents.length === 0) return new Map();
    const rows: { connection_id: string; delivered_at: Date | null; last_error: string | null }[] =
      await this.dataSource.query(ATTEMPTS_SINCE, [
        incidents.map((incident) => incident.connectionId),
        incidents.map((incident) => incident.since.toISOString()),
      ]);
    return new Map(
      rows.map((row) => [row.connection_id, { deliveredAt: row.delivered_at, lastError: row.last_error }]),
    );
  }
}
