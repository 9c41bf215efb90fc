import { ConnectionEntity, dataSourceOptions } from '@campaign-webhooks/persistence';
import { DataSource, type EntityManager } from 'typeorm';
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
  const store = new ConnectionStore(dataSource, feed, { error: () => undefined }, 50);

  beforeAll(() => dataSource.initialize());
  afterAll(() => dataSource.destroy());
  afterEach(() => jest.restoreAllMocks());

  const settings = () => newConnectionRow('it-store');
  const lastRecordOf = (id: string) => feedRecords.filter(([each]) => each === id).at(-1);

  it('ends the feed on a tombstone for a create that was not committed', async () => {
    const connection = settings();
    loseNextAnswer = true;

    await expect(store.insert(connection)).rejects.toThrow('the change feed is unavailable');

    await expect(store.get('it-store', connection.id)).rejects.toThrow('not found');
    expect(lastRecordOf(connection.id)).toEqual([connection.id, null]);
  });

  it('answers 503 for a commit it could not confirm, and corrects the feed once the database answers', async () => {
    const connection = settings();
    const transaction = dataSource.transaction.bind(dataSource) as (
      work: (manager: EntityManager) => Promise<unknown>,
    ) => Promise<unknown>;
    const unreachable = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    jest
      .spyOn(dataSource, 'transaction')
      // The change: its feed record goes out, then the connection drops before COMMIT answers.
      .mockImplementationOnce(((work: (manager: EntityManager) => Promise<unknown>) =>
        transaction(async (manager) => {
          await work(manager);
          throw new Error('Connection terminated unexpectedly');
        })) as never)
      // The correction, twice, while the database can't be reached.
      .mockImplementationOnce(unreachable as never)
      .mockImplementationOnce(unreachable as never);

    await expect(store.insert(connection)).rejects.toMatchObject({
      status: 503,
      message: 'the change could not be confirmed; read the connection before trying again',
    });
    expect(lastRecordOf(connection.id)).toEqual([connection.id, 1, 'it']);

    for (let waited = 0; waited < 5_000 && lastRecordOf(connection.id)?.[1] !== null; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lastRecordOf(connection.id)).toEqual([connection.id, null]);
    await expect(store.get('it-store', connection.id)).rejects.toThrow('not found');
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
