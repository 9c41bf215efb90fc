import { randomUUID } from 'node:crypto';
import { PoisonRecordError, type ConsumedRecord, type RecordResult } from '@campaign-webhooks/kafka';
import { dataSourceOptions, ProfileStore } from '@campaign-webhooks/persistence';
import { DataSource } from 'typeorm';
import { ProfileCache } from '../../apps/renderer/src/app/profile-cache';
import { ProfileStage } from '../../apps/renderer/src/app/profile-stage';

// The renderer's profiles stage against the real, migrated database (npm test runs setup first).
describe('profiles stage in PostgreSQL', () => {
  let dataSource: DataSource;
  let store: ProfileStore;
  let stage: ProfileStage;
  let offset = 0;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
    await dataSource.initialize();
    store = new ProfileStore(dataSource);
    stage = new ProfileStage(store, new ProfileCache());
  });

  afterAll(() => dataSource.destroy());

  const consumed = (key: string, value: object | null): ConsumedRecord => ({
    topic: 'campaign.profiles',
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(JSON.stringify(value)),
    headers: {},
    timestamp: 0,
  });
  const update = (profileId: string, attributes: object, updatedAt: number) =>
    consumed(profileId, { project_id: 'acme', profile_id: profileId, attributes, updated_at: updatedAt });
  const stored = async (profileId: string) =>
    (await store.find([{ projectId: 'acme', profileId }])).get(`acme\0${profileId}`);
  const STORED: RecordResult = { produce: [] };

  it('stores the newest of several updates of one profile in a batch', async () => {
    const profile = `p-${randomUUID()}`;
    const results = await stage.handleBatch([
      update(profile, { tier: 'bronze' }, 1),
      update(profile, { tier: 'gold' }, 3),
      update(profile, { tier: 'silver' }, 2),
    ]);
    expect(results).toEqual([STORED, STORED, STORED]);
    expect(await stored(profile)).toEqual({ tier: 'gold' });
  });

  it('applies a deletion and an update of one profile in a batch in their order', async () => {
    const recreated = `p-${randomUUID()}`;
    const deleted = `p-${randomUUID()}`;
    await stage.handleBatch([update(recreated, { v: 1 }, 1), update(deleted, { v: 1 }, 1)]);

    await stage.handleBatch([
      consumed(recreated, null),
      update(recreated, { v: 2 }, 2),
      update(deleted, { v: 2 }, 2),
      consumed(deleted, null),
    ]);
    expect(await stored(recreated)).toEqual({ v: 2 });
    expect(await stored(deleted)).toBeUndefined();
  });

  it('dead-letters a profile with a NUL character and stores the rest of its batch', async () => {
    const refused = `p-${randomUUID()}`;
    const fine = `p-${randomUUID()}`;
    const results = await stage.handleBatch([
      update(refused, { note: 'a\u0000b' }, 1),
      update(fine, { note: 'ab' }, 1),
    ]);
    expect(results).toEqual([
      { poison: 'invalid_record: a NUL character, which PostgreSQL cannot store' },
      STORED,
    ]);
    expect(await stored(refused)).toBeUndefined();
    expect(await stored(fine)).toEqual({ note: 'ab' });
  });

  it('dead-letters a profile that is not UTF-8 rather than storing it altered', async () => {
    const profile = `p-${randomUUID()}`;
    const record = update(profile, { note: '~' }, 1);
    const [head, tail] = String(record.value).split('~');
    record.value = Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from(tail)]);
    expect(await stage.handleBatch([record])).toEqual([
      { poison: 'invalid_utf8: the value is not UTF-8 text' },
    ]);
    expect(await stored(profile)).toBeUndefined();
  });

  it('refuses a batch PostgreSQL cannot store as poison, so that the record alone is dead-lettered', async () => {
    // A lone surrogate: JSON.stringify writes it as an escape that jsonb refuses.
    const refused = update(`p-${randomUUID()}`, { note: '\ud800' }, 1);
    const fine = `p-${randomUUID()}`;
    await expect(stage.handleBatch([refused, update(fine, { note: 'ok' }, 1)])).rejects.toThrow(
      PoisonRecordError,
    );
    // The consumer then runs each record alone.
    await expect(stage.handleBatch([update(fine, { note: 'ok' }, 1)])).resolves.toEqual([STORED]);
    expect(await stored(fine)).toEqual({ note: 'ok' });
  });
});
