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

  it('lets one caller claim a repeat, and give it back', async () => {
    const opened = incident();
    await store.open(opened);
    const claimedAt = new Date(opened.lastSentAt.getTime() + 3_600_000);
    const claims = await Promise.all([
      store.moveLastSent(opened.connectionId, opened.lastSentAt, claimedAt),
      store.moveLastSent(opened.connectionId, opened.lastSentAt, claimedAt),
    ]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await store.moveLastSent(opened.connectionId, claimedAt, opened.lastSentAt)).toBe(true);
    expect((await store.find(opened.connectionId))?.lastSentAt).toEqual(opened.lastSentAt);
  });

  it('changes nothing about a resolved incident but replaces it with the next one', async () => {
    const opened = incident();
    await store.open(opened);
    const resolvedAt = new Date('2025-11-27T10:00:00.000Z');
    await store.resolve(opened.connectionId, resolvedAt);
    await store.resolve(opened.connectionId, new Date());
    await store.update(opened.connectionId, { lastError: 'later' });
    expect(await store.moveLastSent(opened.connectionId, opened.lastSentAt, new Date())).toBe(false);
    expect(await store.find(opened.connectionId)).toEqual({ ...opened, resolvedAt });
    expect((await store.listOpen()).map((row) => row.connectionId)).not.toContain(opened.connectionId);

    const next = incident({ connectionId: opened.connectionId, kind: 'auth_failure', since: new Date() });
    await store.open(next);
    expect(await store.find(opened.connectionId)).toEqual(next);
  });
});
