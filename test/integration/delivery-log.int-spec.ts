import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, DeliveryLogStore, type LoggedAttempt } from '@campaign-webhooks/persistence';
import { revertThrough } from '../support/migrations';

describe('DeliveryLogStore against PostgreSQL', () => {
  const dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
  let store: DeliveryLogStore;

  beforeAll(async () => {
    await dataSource.initialize();
    store = new DeliveryLogStore(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const attempt = (overrides: Partial<LoggedAttempt>): LoggedAttempt => ({
    deliveryId: randomUUID(),
    connectionId: 'c-1',
    projectId: 'acme',
    event: 'message_open',
    attempt: 1,
    status: 'delivered',
    httpStatus: 200,
    durationMs: 12,
    error: null,
    nextAttemptAt: null,
    time: new Date().toISOString(),
    ...overrides,
  });

  async function partitionsOf(table: string): Promise<string[]> {
    const rows: { relname: string }[] = await dataSource.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = $1 ORDER BY 1`,
      [table],
    );
    return rows.map((row) => row.relname);
  }

  it('keeps day partitions ahead and drops those past retention', async () => {
    const now = new Date('2031-03-10T12:00:00Z');
    await store.maintainPartitions(now, 14);
    expect(await partitionsOf('delivery_attempts')).toEqual(
      expect.arrayContaining([
        'delivery_attempts_20310309',
        'delivery_attempts_20310310',
        'delivery_attempts_20310312',
      ]),
    );
    await store.maintainPartitions(new Date('2031-04-10T12:00:00Z'), 14);
    const after = await partitionsOf('delivery_attempts');
    expect(after).not.toContain('delivery_attempts_20310310');
    expect(after).toContain('delivery_attempts_20310410');
  });

  it('writes a batch in one statement, ignores a replayed record, and pages newest first with filters', async () => {
    await store.maintainPartitions(new Date(), 14);
    const connectionId = randomUUID();
    const base = Date.now();
    const rows = Array.from({ length: 5 }, (_, index) =>
      attempt({
        connectionId,
        status: index % 2 === 0 ? 'delivered' : 'retrying',
        time: new Date(base + index * 1000).toISOString(),
      }),
    );
    await store.recordAttempts(rows);
    await store.recordAttempts(rows.slice(0, 2));

    const firstPage = await store.attempts({ projectId: 'acme', connectionId, limit: 3 });
    expect(firstPage.map((row) => row.time)).toEqual([rows[4].time, rows[3].time, rows[2].time]);
    const last = firstPage[2];
    const secondPage = await store.attempts({
      projectId: 'acme',
      connectionId,
      limit: 3,
      after: { time: last.time, deliveryId: last.deliveryId, attempt: last.attempt },
    });
    expect(secondPage.map((row) => row.time)).toEqual([rows[1].time, rows[0].time]);
    expect(
      await store.attempts({ projectId: 'acme', connectionId, limit: 10, status: 'retrying' }),
    ).toHaveLength(2);
    expect(await store.attempts({ projectId: 'globex', connectionId, limit: 10 })).toEqual([]);
  });

  it('keeps the body of the first attempt for a resend, scoped by project', async () => {
    await store.maintainPartitions(new Date(), 14);
    const deliveryId = randomUUID();
    const body = '{"event":"message_open"}';
    const first = attempt({ deliveryId, status: 'retrying', body });
    await store.recordAttempts([first]);
    await store.recordAttempts([
      first,
      attempt({ deliveryId, attempt: 2, time: new Date(Date.now() + 1000).toISOString() }),
    ]);
    expect(await store.request('acme', deliveryId)).toMatchObject({
      body,
      connectionId: 'c-1',
      event: 'message_open',
    });
    expect(await store.request('globex', deliveryId)).toBeUndefined();
    expect(await store.request('acme', randomUUID())).toBeUndefined();
  });

  it('moves bodies logged apart before the upgrade to their first attempts, and back on revert', async () => {
    const deliveryId = randomUUID();
    const body = '{"event":"message_click"}';
    const loggedAfterUpgrade = attempt({ body: '{"event":"message_open"}' });
    await store.recordAttempts([
      attempt({ deliveryId }),
      attempt({ deliveryId, attempt: 2 }),
      loggedAfterUpgrade,
    ]);
    await revertThrough(dataSource, 'KeepBodyWithFirstAttempt1764201850000');
    try {
      const kept: { body: string }[] = await dataSource.query(
        `SELECT body FROM delivery_requests WHERE delivery_id = $1`,
        [loggedAfterUpgrade.deliveryId],
      );
      expect(kept).toEqual([{ body: loggedAfterUpgrade.body }]);
      await dataSource.query(
        `INSERT INTO delivery_requests (delivery_id, connection_id, project_id, event, body, created_at)
         VALUES ($1, 'c-1', 'acme', 'message_click', $2, now())`,
        [deliveryId, body],
      );
    } finally {
      await dataSource.runMigrations();
    }
    const rows: { attempt: number; body: string | null }[] = await dataSource.query(
      `SELECT attempt, body FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
    expect(rows).toEqual([
      { attempt: 1, body },
      { attempt: 2, body: null },
    ]);
  });
});
