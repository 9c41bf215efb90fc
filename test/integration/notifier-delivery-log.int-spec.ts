import { randomUUID } from 'node:crypto';
import { dataSourceOptions, DeliveryLogStore, type LoggedAttempt } from '@campaign-webhooks/persistence';
import { DataSource } from 'typeorm';
import {
  RECENT_ATTEMPTS_LOOKED_AT,
  TypeOrmDeliveryLog,
} from '../../apps/notifier/src/app/typeorm-delivery-log';

// The notifier's reading of the delivery log against the real, migrated database (npm test runs setup first).
describe("the notifier's reading of the delivery log", () => {
  const dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));
  let store: DeliveryLogStore;
  let log: TypeOrmDeliveryLog;
  const since = new Date(Date.now() - 60_000);
  const at = (offsetMs: number) => new Date(since.getTime() + offsetMs);

  beforeAll(async () => {
    await dataSource.initialize();
    store = new DeliveryLogStore(dataSource);
    log = new TypeOrmDeliveryLog(dataSource);
  });

  afterAll(() => dataSource.destroy());
  afterEach(() => jest.restoreAllMocks());

  const attempt = (
    connectionId: string,
    status: string,
    offsetMs: number,
    error: string | null = null,
  ): LoggedAttempt => ({
    deliveryId: randomUUID(),
    connectionId,
    projectId: 'acme',
    event: 'message_open',
    attempt: 1,
    status,
    httpStatus: null,
    durationMs: 12,
    error,
    nextAttemptAt: null,
    time: at(offsetMs).toISOString(),
  });

  it("finds each incident's latest delivery since it began, or else its latest error, in one query", async () => {
    const [recovered, failing, before, quiet] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await store.recordAttempts([
      attempt(recovered, 'retrying', 1_000, 'http_503'),
      attempt(recovered, 'delivered', 2_000),
      attempt(recovered, 'delivered', 3_000),
      attempt(failing, 'delivered', 0),
      attempt(failing, 'retrying', 1_000, 'timeout: headers timeout'),
      attempt(failing, 'failed', 2_000, 'retries_exhausted: http_502'),
      attempt(failing, 'retrying', 2_500),
      attempt(failing, 'skipped', 3_000, 'connection_inactive'),
      attempt(before, 'delivered', -1_000),
      attempt(before, 'failed', -500, 'http_500'),
    ]);
    const query = jest.spyOn(dataSource, 'query');

    const answers = await log.attemptsSince(
      [recovered, failing, before, quiet].map((connectionId) => ({ connectionId, since })),
    );
    expect(query).toHaveBeenCalledTimes(1);
    expect(answers).toEqual(
      new Map([
        [recovered, { deliveredAt: at(3_000), lastError: 'http_503' }],
        [failing, { deliveredAt: null, lastError: 'retries_exhausted: http_502' }],
        [before, { deliveredAt: null, lastError: null }],
        [quiet, { deliveredAt: null, lastError: null }],
      ]),
    );
  });

  it('takes no test send for a recovery, only the deliveries of the pipeline', async () => {
    const connectionId = randomUUID();
    await store.recordAttempts([
      attempt(connectionId, 'retrying', 1_000, 'http_503'),
      { ...attempt(connectionId, 'delivered', 2_000), testSend: true },
      attempt(connectionId, 'retrying', 3_000, 'http_503'),
    ]);

    const answers = await log.attemptsSince([{ connectionId, since }]);
    expect(answers.get(connectionId)).toEqual({ deliveredAt: null, lastError: 'http_503' });
  });

  it('looks at a bounded number of the newest attempts, so a long failing streak costs a bounded walk', async () => {
    const connectionId = randomUUID();
    const failures = Array.from({ length: RECENT_ATTEMPTS_LOOKED_AT }, (_, index) =>
      attempt(connectionId, 'retrying', 2_000 + index, `http_500 #${index}`),
    );
    await store.recordAttempts([attempt(connectionId, 'delivered', 1_000), ...failures]);

    const answers = await log.attemptsSince([{ connectionId, since }]);
    expect(answers.get(connectionId)).toEqual({
      deliveredAt: null,
      lastError: `http_500 #${RECENT_ATTEMPTS_LOOKED_AT - 1}`,
    });
  });

  it('asks nothing when no incident is open', async () => {
    const query = jest.spyOn(dataSource, 'query');
    expect(await log.attemptsSince([])).toEqual(new Map());
    expect(query).not.toHaveBeenCalled();
  });
});
