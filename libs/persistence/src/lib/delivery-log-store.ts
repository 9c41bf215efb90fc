import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { WriteCoalescer } from './write-coalescer';

export interface LoggedAttempt {
  deliveryId: string;
  connectionId: string;
  projectId: string;
  event: string;
  attempt: number;
  status: string;
  httpStatus: number | null;
  durationMs: number | null;
  error: string | null;
  nextAttemptAt: string | null;
  time: string;
  /** The request body, kept with the first attempt of each delivery for resends. */
  body?: string | null;
  /** A test send from the admin API rather than a delivery of the pipeline. */
  testSend?: boolean;
}

export interface LoggedRequest {
  deliveryId: string;
  connectionId: string;
  projectId: string;
  event: string;
  body: string;
  createdAt: string;
}

export interface AttemptQuery {
  projectId: string;
  connectionId: string;
  status?: string;
  event?: string;
  limit: number;
  /** Continue after this attempt (from the previous page's last row). */
  after?: { time: string; deliveryId: string; attempt: number };
}

/**
 * The batch is one JSON parameter, its rows the attempts as written: pg would send thirteen
 * parameter arrays as text, escaping and copying every element (each body among them) into a
 * string of its own, and that was most of what the admin API allocated per outcome.
 */
const INSERT_ATTEMPTS = `INSERT INTO delivery_attempts
    (delivery_id, connection_id, project_id, event, attempt, status, http_status, duration_ms, error, next_attempt_at,
     time, body, test_send)
  SELECT "deliveryId", "connectionId", "projectId", event, attempt, status, "httpStatus", "durationMs", error,
         "nextAttemptAt", time, body, COALESCE("testSend", false)
    FROM json_to_recordset($1::json) AS attempt_row("deliveryId" text, "connectionId" text, "projectId" text,
         event text, attempt int, status text, "httpStatus" int, "durationMs" int, error text,
         "nextAttemptAt" timestamptz, time timestamptz, body text, "testSend" boolean)`;

/** For a batch that meets rows already logged: a record consumed again after a crash or rebalance. */
const INSERT_NEW_ATTEMPTS = `${INSERT_ATTEMPTS}
  ON CONFLICT DO NOTHING`;

const UNIQUE_VIOLATION = '23505';

/**
 * pg prepares a named statement once per connection and refuses the name for any other text, so
 * the name carries a digest of the text.
 */
const INSERT_ATTEMPTS_STATEMENT = `delivery-log-insert-${digestOf(INSERT_ATTEMPTS)}`;
const INSERT_NEW_ATTEMPTS_STATEMENT = `delivery-log-insert-new-${digestOf(INSERT_NEW_ATTEMPTS)}`;

/** Batches waiting together share a statement up to this many rows; larger ones go alone. */
export const MAX_ATTEMPTS_PER_STATEMENT = 2_000;

/**
 * The delivery log in PostgreSQL, written in batches and read by the admin API. A batch handed in
 * while another is being written waits, and the batches waiting then share the next statement (a
 * prepared one): partitions consumed concurrently cost one statement together instead of one
 * each. Re-consumed records are ignored by their primary keys.
 */
export class DeliveryLogStore {
  private readonly attemptWrites = new WriteCoalescer<LoggedAttempt>(
    (attempts) => this.insertAttempts(attempts),
    MAX_ATTEMPTS_PER_STATEMENT,
  );

  /** `onWrite` hears of each statement that wrote attempts. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly onWrite: () => void = () => undefined,
  ) {}

  /** Resolves once the attempts are committed; rejects if they were not, and then none of them is. */
  async recordAttempts(attempts: readonly LoggedAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.attemptWrites.add(attempts);
  }

  /**
   * A plain insert, and one that skips the rows already logged only when the plain one meets
   * them: PostgreSQL spends about a fifth more per row on `ON CONFLICT DO NOTHING`.
   */
  private async insertAttempts(attempts: readonly LoggedAttempt[]): Promise<void> {
    // TypeORM's query can't name a statement; its pool can.
    const pool: Pool = (this.dataSource.driver as PostgresDriver).master;
    const values = [JSON.stringify(attempts)];
    try {
      await pool.query({ name: INSERT_ATTEMPTS_STATEMENT, text: INSERT_ATTEMPTS, values });
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      await pool.query({ name: INSERT_NEW_ATTEMPTS_STATEMENT, text: INSERT_NEW_ATTEMPTS, values });
    }
    this.onWrite();
  }

  /** A connection's attempts, newest first. */
  async attempts(query: AttemptQuery): Promise<LoggedAttempt[]> {
    const conditions = ['project_id = $1', 'connection_id = $2'];
    const parameters: unknown[] = [query.projectId, query.connectionId];
    const add = (condition: string, ...values: unknown[]) => {
      conditions.push(condition.replace(/\?/g, () => `$${parameters.push(values.shift())}`));
    };
    if (query.status) add('status = ?', query.status);
    if (query.event) add('event = ?', query.event);
    if (query.after) {
      add(
        '(time, delivery_id, attempt) < (?, ?, ?)',
        query.after.time,
        query.after.deliveryId,
        query.after.attempt,
      );
    }
    parameters.push(query.limit);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT delivery_id, connection_id, project_id, event, attempt, status, http_status, duration_ms, error,
              next_attempt_at, time
         FROM delivery_attempts
        WHERE ${conditions.join(' AND ')}
        ORDER BY time DESC, delivery_id DESC, attempt DESC
        LIMIT $${parameters.length}`,
      parameters,
    );
    return rows.map((row) => ({
      deliveryId: String(row['delivery_id']),
      connectionId: String(row['connection_id']),
      projectId: String(row['project_id']),
      event: String(row['event']),
      attempt: Number(row['attempt']),
      status: String(row['status']),
      httpStatus: row['http_status'] === null ? null : Number(row['http_status']),
      durationMs: row['duration_ms'] === null ? null : Number(row['duration_ms']),
      error: (row['error'] as string | null) ?? null,
      nextAttemptAt: row['next_attempt_at'] ? (row['next_attempt_at'] as Date).toISOString() : null,
      time: (row['time'] as Date).toISOString(),
    }));
  }

  /** The body a delivery was first sent with, if the log still holds it. */
  async request(projectId: string, deliveryId: string): Promise<LoggedRequest | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT delivery_id, connection_id, project_id, event, body, time
         FROM delivery_attempts WHERE project_id = $1 AND delivery_id = $2 AND body IS NOT NULL
        ORDER BY time LIMIT 1`,
      [projectId, deliveryId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      deliveryId: String(row['delivery_id']),
      connectionId: String(row['connection_id']),
      projectId: String(row['project_id']),
      event: String(row['event']),
      body: String(row['body']),
      createdAt: (row['time'] as Date).toISOString(),
    };
  }

  /**
   * Keeps a partition per day from yesterday to `daysAhead` days ahead, and drops the partitions
   * older than `retentionDays`. Rows outside every day partition land in the default partition
   * (outcomes of older days, read again by a new consumer group or after a long outage); those past
   * retention are deleted from it.
   */
  async maintainPartitions(now: Date, retentionDays: number, daysAhead = 2): Promise<void> {
    const table = 'delivery_attempts';
    for (let offset = -1; offset <= daysAhead; offset++) {
      const day = startOfDay(now, offset);
      const next = startOfDay(now, offset + 1);
      const name = `${table}_${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
      const exists: unknown[] = await this.dataSource.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [
        name,
      ]);
      if (exists.length > 0) continue;
      // Rows of that day already in the default partition would block the new partition: move them.
      await this.dataSource.transaction(async (manager) => {
        await manager.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS)`);
        await manager.query(
          `WITH moved AS (DELETE FROM ${table}_default WHERE time >= $1 AND time < $2 RETURNING *)
           INSERT INTO ${name} SELECT * FROM moved`,
          [day.toISOString(), next.toISOString()],
        );
        await manager.query(
          `ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM ('${day.toISOString()}') TO ('${next.toISOString()}')`,
        );
      });
    }
    const oldest = startOfDay(now, -retentionDays).toISOString().slice(0, 10).replace(/-/g, '');
    const partitions: { relname: string }[] = await this.dataSource.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = $1 AND c.relname ~ '_[0-9]{8}$'`,
      [table],
    );
    for (const { relname } of partitions) {
      if (relname.slice(-8) < oldest) await this.dataSource.query(`DROP TABLE ${relname}`);
    }
    await this.dataSource.query(`DELETE FROM ${table}_default WHERE time < $1`, [
      startOfDay(now, -retentionDays).toISOString(),
    ]);
  }
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function startOfDay(now: Date, offsetDays: number): Date {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  day.setUTCDate(day.getUTCDate() + offsetDays);
  return day;
}
