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
    const now = new Date('2025-11-27T10:00:00.000Z');
    const until = new Date(now.getTime() + 120_000);
    const claims = await Promise.all([
      store.claim(opened.connectionId, now, until),
      store.claim(opened.connectionId, now, until),
    ]);
    expect(claims.filter(Boolean)).toEqual([opened]);

    expect(await store.claim(opened.connectionId, new Date(until.getTime() - 1), until)).toBeUndefined();
    const later = new Date(until.getTime() + 120_000);
    expect(await store.claim(opened.connectionId, until, later)).toEqual(opened);
    // The first claim's holder gives back only its own claim.
    await store.release(opened.connectionId, until);
    expect(await store.claim(opened.connectionId, until, later)).toBeUndefined();
    await store.release(opened.connectionId, later);
    expect(await store.claim(opened.connectionId, now, until)).toEqual(opened);
  });

  it('changes nothing about a resolved incident but replaces it with the next one', async () => {
    const opened = incident();
    await store.open(opened);
    const resolvedAt = new Date('2025-11-27T10:00:00.000Z');
    await store.resolve(opened.connectionId, resolvedAt);
    await store.resolve(opened.connectionId, new Date());
    await store.update(opened.connectionId, { lastError: 'later', lastSentAt: new Date() });
    expect(await store.claim(opened.connectionId, new Date(), new Date())).toBeUndefined();
    expect(await store.find(opened.connectionId)).toEqual({ ...opened, resolvedAt });
    expect((await store.listOpen()).map((row) => row.connectionId)).not.toContain(opened.connectionId);

    const next = incident({ connectionId: opened.connectionId, kind: 'auth_failure', since: new Date() });
    await store.open(next);
    expect(await store.find(opened.connectionId)).toEqual(next);
  });
});
