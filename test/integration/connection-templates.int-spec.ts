import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConnectionEntity, dataSourceOptions } from '@campaign-webhooks/persistence';
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
});
