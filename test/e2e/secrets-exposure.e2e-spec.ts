import { randomUUID } from 'node:crypto';
import { topicNames } from '@campaign-webhooks/contracts';
import { Client } from 'pg';
import { asProject, deleteConnections } from '../support/admin-api';
import { kafka } from '../support/kafka';
import { serviceUrls } from '../support/services';

const acme = asProject('acme');

/** Every value, key and header of every record on `topics`, from the start to the current end, as text. */
async function everyRecordOf(topics: string[]): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high));
    }
  }
  await admin.disconnect();
  const chunks: string[] = [];
  const consumer = kafka.consumer({ groupId: `e2e-secrets-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const readAll = new Promise<void>((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        chunks.push(message.key?.toString() ?? '', message.value?.toString() ?? '');
        for (const value of Object.values(message.headers ?? {})) chunks.push(String(value));
        const id = `${topic}/${partition}`;
        if (BigInt(message.offset) + 1n >= (remaining.get(id) ?? 0n)) remaining.delete(id);
        if (remaining.size === 0) resolve();
      },
    });
  });
  await Promise.race([
    readAll,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`topics not read to their end: ${[...remaining.keys()]}`)), 60_000),
    ),
  ]);
  await consumer.disconnect();
  return chunks.join('\n');
}

describe('credentials at rest and on the way', () => {
  const unique = randomUUID();
  const secrets = { password: `pw-${unique}`, token: `tok-${unique}`, clientSecret: `cs-${unique}` };
  const created: string[] = [];
  const base = { url: 'http://127.0.0.1:9/hook', messageEvents: ['message_send'], channels: ['email'] };

  beforeAll(async () => {
    const auths = [
      { type: 'basic', username: 'crm', password: secrets.password },
      { type: 'bearer', token: secrets.token },
      {
        type: 'oauth2',
        tokenUrl: 'http://127.0.0.1:9/token',
        clientId: 'c',
        clientSecret: secrets.clientSecret,
      },
      { type: 'signed' },
    ];
    for (const [index, auth] of auths.entries()) {
      const response = await acme('POST', '/v1/connections', {
        body: { ...base, name: `at rest ${index}`, auth },
      });
      expect(response.status).toBe(201);
      created.push(response.body.id);
      if (auth.type === 'signed') Object.assign(secrets, { signing: response.body.auth.secret as string });
    }
  });

  afterAll(() => deleteConnections('acme', created));

  const leaked = (text: string) => Object.values(secrets).filter((secret) => text.includes(secret));

  it('are ciphertext in PostgreSQL', async () => {
    const client = new Client({ connectionString: process.env['DATABASE_URL'] });
    await client.connect();
    try {
      const { rows } = await client.query<{ row: string }>(
        'SELECT row_to_json(c)::text AS row FROM connections c WHERE id = ANY($1)',
        [created],
      );
      expect(rows).toHaveLength(created.length);
      expect(leaked(rows.map(({ row }) => row).join('\n'))).toEqual([]);
      // The signing secret's key material, without its whsec_ prefix, must not be there either.
      const signing = (secrets as { signing?: string }).signing ?? '';
      expect(signing).toMatch(/^whsec_/);
      expect(rows.some(({ row }) => row.includes(signing.slice('whsec_'.length)))).toBe(false);
    } finally {
      await client.end();
    }
  });

  it('are on no topic in clear', async () => {
    const topics = topicNames(process.env);
    const text = await everyRecordOf([
      topics.connections,
      topics.matched,
      topics.deliveries,
      topics.retries,
      topics.outcomes,
      topics.alerts,
      topics.deadLetter,
    ]);
    expect(text.length).toBeGreaterThan(0);
    expect(leaked(text)).toEqual([]);
  }, 90_000);

  it('are in no metrics output', async () => {
    const text = (
      await Promise.all(Object.values(serviceUrls).map(async (url) => (await fetch(`${url}/metrics`)).text()))
    ).join('\n');
    expect(text).toContain('webhooks_');
    expect(leaked(text)).toEqual([]);
  });
});
