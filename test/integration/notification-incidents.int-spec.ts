import { randomUUID } from 'node:crypto';
import { dataSourceOptions } from '@campaign-webhooks/persistence';
import { DataSource } from 'typeorm';
import type { Incident } from '../../apps/notifier/src/app/incident-policy';
import { TypeOrmIncidentStore } from '../../apps/notifier/src/app/typeorm-incident-store';

// The notifier's incident store against the real, migrated database (npm test runs setup first).
describe('notification incidents in PostgreSQL', () => {
  let dataSource: DataSource;
  let store: TypeOrmIncidentStore;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
    await dataSource.initialize();
    store = new TypeOrmIncidentStore(dataSource);
  });

  afterAll(() => dataSource.destroy());

  function incident(overrides: Partial<Incident> = {}): Incident {
    return {
      connectionId: randomUUID(),
      projectId: 'acme',
      email: 'ops@example.com',
      kind: 'endpoint_failing',
      since: new Date('2025-11-27T09:00:00.123Z'),
      lastError: 'http_500',
      lastSentAt: new Date('2025-11-27T09:00:03.456Z'),
      resolvedAt: null,
      ...overrides,
    };
  }

  it('stores an incident and reads it back to the millisecond', async () => {
    const opened = incident();
    await store.open(opened);
    expect(await store.find(opened.connectionId)).toEqual(opened);
    expect((await store.listOpen()).map((row) => row.connectionId)).toContain(opened.connectionId);
  });

  it('lets one caller at a time claim an incident, until it gives the claim back or it lapses', async () => {
    const opened = incident();
    await store.open(opened);
    const claims = await Promise.all([
      store.claim(opened.connectionId, 120_000),
      store.claim(opened.connectionId, 120_000),
    ]);
    const [held] = claims.filter((claim) => claim !== undefined);
    expect(claims.filter((claim) => claim === undefined)).toHaveLength(1);
    expect(held?.incident).toEqual(opened);
    // By the database's clock (this machine's too).
    expect(Math.abs(held!.until.getTime() - Date.now() - 120_000)).toBeLessThan(5_000);

    // Released: another caller may claim it. A stale holder's release leaves the new claim alone.
    await store.release(opened.connectionId, held!.until);
    const short = await store.claim(opened.connectionId, 50);
    expect(short?.incident).toEqual(opened);
    await store.release(opened.connectionId, held!.until);
    expect(await store.claim(opened.connectionId, 120_000)).toBeUndefined();

    // Lapsed: the next caller may claim it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.claim(opened.connectionId, 120_000))?.incident).toEqual(opened);
  });

  it('changes nothing about a resolved incident but replaces it with the next one', async () => {
    const opened = incident();
    await store.open(opened);
    const resolvedAt = new Date('2025-11-27T10:00:00.000Z');
    await store.resolve(opened.connectionId, resolvedAt);
    await store.resolve(opened.connectionId, new Date());
    await store.update(opened.connectionId, { lastError: 'later', lastSentAt: new Date() });
    expect(await store.claim(opened.connectionId, 120_000)).toBeUndefined();
    expect(await store.find(opened.connectionId)).toEqual({ ...opened, resolvedAt });
    expect((await store.listOpen()).map((row) => row.connectionId)).not.toContain(opened.connectionId);

    const next = incident({ connectionId: opened.connectionId, kind: 'auth_failure', since: new Date() });
    await store.open(next);
    expect(await store.find(opened.connectionId)).toEqual(next);
  });
});
