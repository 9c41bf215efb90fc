import { ConnectionEntity, dataSourceOptions } from '@campaign-webhooks/persistence';
import { DataSource } from 'typeorm';
import type { ConnectionFeedPublisher } from '../../apps/admin-api/src/app/connections/connection-feed-publisher';
import { ConnectionStore } from '../../apps/admin-api/src/app/connections/connection-store';
import { newConnectionRow } from '../support/connection-rows';

// The admin API's connection store against the real, migrated database, with a feed that can
// take a record and then fail, as when the broker appends it but its answer is lost.
describe('connection store in PostgreSQL, when the feed fails after taking a record', () => {
  const dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
  /** The feed as the pipeline would read it: id, then version and name, or null for a tombstone. */
  const feedRecords: unknown[][] = [];
  let loseNextAnswer = false;
  const feed = {
    publish: async (connection: ConnectionEntity) => {
      feedRecords.push([connection.id, connection.version, connection.name]);
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw new Error('Request timed out');
      }
    },
    publishDeletion: async (id: string) => void feedRecords.push([id, null]),
  } as unknown as ConnectionFeedPublisher;
  const store = new ConnectionStore(dataSource, feed, { error: () => undefined });

  beforeAll(() => dataSource.initialize());
  afterAll(() => dataSource.destroy());

  const settings = () => newConnectionRow('it-store');
  const lastRecordOf = (id: string) => feedRecords.filter(([each]) => each === id).at(-1);

  it('ends the feed on a tombstone for a create that was not committed', async () => {
    const connection = settings();
    loseNextAnswer = true;

    await expect(store.insert(connection)).rejects.toThrow('the change feed is unavailable');

    await expect(store.get('it-store', connection.id)).rejects.toThrow('not found');
    expect(lastRecordOf(connection.id)).toEqual([connection.id, null]);
  });

  it('ends the feed on the committed version for an update that was not committed', async () => {
    const created = await store.insert(settings());
    loseNextAnswer = true;

    await expect(
      store.update('it-store', created.id, undefined, (connection) => {
        connection.name = 'renamed';
        return true;
      }),
    ).rejects.toThrow('the change feed is unavailable');

    // Readers ignore a version older than one they applied: the committed row comes back newer.
    const stored = await store.get('it-store', created.id);
    expect([stored.name, stored.version]).toEqual(['it', created.version + 1]);
    expect(feedRecords.filter(([id]) => id === created.id)).toEqual([
      [created.id, created.version, 'it'],
      [created.id, created.version + 1, 'renamed'],
      [created.id, created.version + 1, 'it'],
    ]);
  });
});
