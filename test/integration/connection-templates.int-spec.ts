import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConnectionEntity, dataSourceOptions } from '@campaign-webhooks/persistence';
import type { ConnectionFeedPublisher } from '../../apps/admin-api/src/app/connections/connection-feed-publisher';
import { ConnectionStore } from '../../apps/admin-api/src/app/connections/connection-store';
import { TemplatesService } from '../../apps/admin-api/src/app/templates/templates.service';
import { newConnectionRow } from '../support/connection-rows';
import { revertThrough } from '../support/migrations';

describe('connection templates in PostgreSQL', () => {
  const dataSource = new DataSource(dataSourceOptions(process.env['DATABASE_URL'] ?? ''));

  beforeAll(() => dataSource.initialize());
  afterAll(() => dataSource.destroy());

  const insert = (id: string, templates: string) =>
    dataSource.query(
      `INSERT INTO connections (id, project_id, name, url, auth_type, templates, version)
       VALUES ($1, 'it-templates', 'it', 'https://example.com/hook', 'none', $2, 1)`,
      [id, templates],
    );

  const storedTemplates = async (id: string) =>
    (await dataSource.getRepository(ConnectionEntity).findOneByOrFail({ id })).templates;

  it('keep their keys in the order written', async () => {
    const id = randomUUID();
    await insert(id, '{"message_open":{"zeta":"{{event}}","id":"{{delivery_id}}","a":{"y":1,"b":2}}}');
    expect(JSON.stringify(await storedTemplates(id))).toBe(
      '{"message_open":{"zeta":"{{event}}","id":"{{delivery_id}}","a":{"y":1,"b":2}}}',
    );
  });

  it('keep their values across the upgrade from jsonb', async () => {
    await revertThrough(dataSource, 'KeepTemplateKeyOrder1764201900000');
    const id = randomUUID();
    try {
      await insert(id, '{"message_open":{"zeta":1,"a":[true,null,"x"]}}');
    } finally {
      await dataSource.runMigrations();
    }
    expect(await storedTemplates(id)).toEqual({ message_open: { zeta: 1, a: [true, null, 'x'] } });
    const [{ type }]: { type: string }[] = await dataSource.query(
      `SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'connections' AND column_name = 'templates'`,
    );
    expect(type).toBe('json');
  });

  it('take a re-save with only the keys reordered as a change: stored, versioned and published', async () => {
    const published: ConnectionEntity[] = [];
    const feed = {
      publish: async (connection: ConnectionEntity) => void published.push({ ...connection }),
      publishDeletion: async () => undefined,
    } as unknown as ConnectionFeedPublisher;
    const store = new ConnectionStore(dataSource, feed, { error: () => undefined });
    const templates = new TemplatesService(store);
    const created = await store.insert(newConnectionRow('it-templates'));

    await templates.save(
      'it-templates',
      created.id,
      'message_open',
      { a: '{{event}}', b: '{{time}}' },
      undefined,
    );
    await templates.save(
      'it-templates',
      created.id,
      'message_open',
      { b: '{{time}}', a: '{{event}}' },
      undefined,
    );

    const stored = await store.get('it-templates', created.id);
    expect(JSON.stringify(stored.templates)).toBe('{"message_open":{"b":"{{time}}","a":"{{event}}"}}');
    expect(stored.version).toBe(created.version + 2);
    const last = published.at(-1);
    expect(last?.version).toBe(stored.version);
    expect(JSON.stringify(last?.templates)).toBe(JSON.stringify(stored.templates));
  });
});
