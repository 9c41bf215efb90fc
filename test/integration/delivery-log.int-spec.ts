import { randomUUID } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import {
  dataSourceOptions,
  DeliveryLogStore,
  MAX_ATTEMPTS_PER_STATEMENT,
  type LoggedAttempt,
} from '@campaign-webhooks/persistence';
import { revertThrough } from '../support/migrations';

describe('DeliveryLogStore against PostgreSQL', () => {
  const dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
  let store: DeliveryLogStore;

  beforeAll(async () => {
    await dataSource.initialize();
    store = new DeliveryLogStore(dataSource);
  });

  afterAll(() => dataSource.destroy());
  afterEach(() => jest.restoreAllMocks());

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

  it('deletes rows past retention from the default partition, where days without one land', async () => {
    // Outcomes of earlier days, read again by a new consumer group, find no partition of their own.
    const connectionId = randomUUID();
    const old = attempt({ connectionId, time: '2032-05-01T08:00:00.000Z' });
    const recent = attempt({ connectionId, time: '2032-05-20T08:00:00.000Z' });
    await store.recordAttempts([old, recent]);

    await store.maintainPartitions(new Date('2032-05-30T12:00:00Z'), 14);

    const kept = await store.attempts({ projectId: 'acme', connectionId, limit: 10 });
    expect(kept.map((row) => row.time)).toEqual([recent.time]);
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

  /**
   * Counts the rows of each delivery-log insert from now on, and puts its statement's name in
   * `names`; the inserts still reach PostgreSQL.
   */
  function insertStatements(names: string[] = []): number[] {
    const pool: Pool = (dataSource.driver as PostgresDriver).master;
    const query = pool.query.bind(pool) as (config: QueryConfig) => Promise<unknown>;
    const rowCounts: number[] = [];
    jest.spyOn(pool, 'query').mockImplementation(((config: QueryConfig) => {
      if (config.name?.startsWith('delivery-log-insert')) {
        // The batch's rows are one JSON parameter.
        rowCounts.push((JSON.parse(config.values?.[0] as string) as unknown[]).length);
        names.push(config.name);
      }
      return query(config);
    }) as never);
    return rowCounts;
  }

  async function loggedDeliveries(connectionId: string): Promise<string[]> {
    const rows: { delivery_id: string }[] = await dataSource.query(
      `SELECT delivery_id FROM delivery_attempts WHERE connection_id = $1 ORDER BY delivery_id`,
      [connectionId],
    );
    return rows.map((row) => row.delivery_id);
  }

  const batchOf = (count: number, connectionId: string) =>
    Array.from({ length: count }, () => attempt({ connectionId }));

  const deliveryIdsOf = (batches: LoggedAttempt[][]) =>
    batches
      .flat()
      .map((row) => row.deliveryId)
      .sort();

  it('writes the batches handed in while a write is in flight in one statement', async () => {
    const statements = insertStatements();
    const connectionId = randomUUID();
    const batches = Array.from({ length: 8 }, () => batchOf(25, connectionId));
    await Promise.all(batches.map((batch) => store.recordAttempts(batch)));
    expect(statements).toEqual([25, 175]);
    expect(await loggedDeliveries(connectionId)).toEqual(deliveryIdsOf(batches));
  });

  it('skips the rows already logged only when a batch meets them', async () => {
    const connectionId = randomUUID();
    const logged = batchOf(3, connectionId);
    await store.recordAttempts(logged);
    const names: string[] = [];
    const statements = insertStatements(names);
    const fresh = batchOf(2, connectionId);
    await store.recordAttempts([...logged.slice(1), ...fresh]);
    await store.recordAttempts(batchOf(1, connectionId));
    expect(statements).toEqual([4, 4, 1]);
    const plain = expect.stringMatching(/^delivery-log-insert-[0-9a-f]+$/);
    expect(names).toEqual([plain, expect.stringMatching(/^delivery-log-insert-new-/), plain]);
    expect(await loggedDeliveries(connectionId)).toHaveLength(6);
    expect(await loggedDeliveries(connectionId)).toEqual(
      expect.arrayContaining(deliveryIdsOf([logged, fresh])),
    );
  });

  it(`writes at most ${MAX_ATTEMPTS_PER_STATEMENT} waiting rows a statement, whole batches at a time`, async () => {
    const statements = insertStatements();
    const connectionId = randomUUID();
    const third = Math.floor(MAX_ATTEMPTS_PER_STATEMENT / 3);
    const batches = [
      batchOf(1, connectionId),
      ...Array.from({ length: 4 }, () => batchOf(third, connectionId)),
    ];
    await Promise.all(batches.map((batch) => store.recordAttempts(batch)));
    expect(statements).toEqual([1, 3 * third, third]);
    expect(await loggedDeliveries(connectionId)).toEqual(deliveryIdsOf(batches));
  });

  it('fails only the batches whose rows PostgreSQL refuses, writes none of their rows, and keeps writing', async () => {
    const connectionId = randomUUID();
    const refused = () => [attempt({ connectionId }), attempt({ connectionId, time: 'not a time' })];
    const [inFlight, good, bad, alsoGood, alsoBad] = [
      batchOf(1, connectionId),
      batchOf(3, connectionId),
      refused(),
      batchOf(2, connectionId),
      refused(),
    ];
    const outcomes = await Promise.allSettled(
      [inFlight, good, bad, alsoGood, alsoBad].map((batch) => store.recordAttempts(batch)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toMatch(
      /invalid input syntax for type timestamp/,
    );
    expect(await loggedDeliveries(connectionId)).toEqual(deliveryIdsOf([inFlight, good, alsoGood]));

    const later = batchOf(2, connectionId);
    await store.recordAttempts(later);
    expect(await loggedDeliveries(connectionId)).toEqual(deliveryIdsOf([inFlight, good, alsoGood, later]));
  });

  it('fails every batch of a statement when PostgreSQL refuses rows of each', async () => {
    const connectionId = randomUUID();
    const batches = [
      batchOf(1, connectionId),
      [attempt({ connectionId, httpStatus: 2 ** 31 })],
      [attempt({ connectionId }), attempt({ connectionId, durationMs: 2 ** 40 })],
    ];
    const outcomes = await Promise.allSettled(batches.map((batch) => store.recordAttempts(batch)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(await loggedDeliveries(connectionId)).toEqual(deliveryIdsOf([batches[0]]));
  });

  it('keeps bodies and errors exactly as written, whatever characters they hold', async () => {
    const ascii = Array.from({ length: 127 }, (_, code) => String.fromCharCode(code + 1)).join('');
    const texts = [
      '',
      ' ',
      '  padded  ',
      'NULL',
      'null',
      '"',
      '\\',
      '\\"',
      '"\\',
      '{}',
      '{a,b}',
      ',',
      '{"a":"b\\"c","d":[1,{"e":null}]}',
      'line\nbreak\r\ttab',
      '\u0001\u001f\u007f',
      'é 中文 🎉 \u{10ffff} \u00a0',
      ascii,
      ascii.repeat(50),
    ];
    const connectionId = randomUUID();
    const batches = texts.map((text, index) => [
      attempt({ connectionId, error: text, body: index % 2 === 0 ? text : null }),
      attempt({ connectionId, error: null, body: text }),
    ]);
    batches.push([attempt({ connectionId, error: null, body: undefined })]);
    await Promise.all(batches.map((batch) => store.recordAttempts(batch)));

    const rows: { delivery_id: string; error: string | null; body: string | null }[] = await dataSource.query(
      `SELECT delivery_id, error, body FROM delivery_attempts WHERE connection_id = $1`,
      [connectionId],
    );
    const stored = new Map(rows.map((row) => [row.delivery_id, { error: row.error, body: row.body }]));
    for (const written of batches.flat()) {
      expect(stored.get(written.deliveryId)).toEqual({ error: written.error, body: written.body ?? null });
    }
    expect(stored.size).toBe(batches.flat().length);
  });

  it('prepares the insert once per connection', async () => {
    const oneConnection = new DataSource({
      ...dataSourceOptions(process.env['DATABASE_URL'] ?? ''),
      extra: { max: 1 },
    });
    await oneConnection.initialize();
    try {
      const oneConnectionStore = new DeliveryLogStore(oneConnection);
      for (let write = 0; write < 3; write++) {
        await oneConnectionStore.recordAttempts(batchOf(2, randomUUID()));
      }
      const prepared: { name: string; executions: number }[] = await oneConnection.query(
        `SELECT name, (generic_plans + custom_plans)::int AS executions FROM pg_prepared_statements`,
      );
      expect(prepared).toEqual([{ name: expect.stringMatching(/^delivery-log-insert-/), executions: 3 }]);
    } finally {
      await oneConnection.destroy();
    }
  });
});
