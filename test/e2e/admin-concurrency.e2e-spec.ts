import { asProject, deleteConnections } from '../support/admin-api';

const acme = asProject('acme');

describe('concurrent changes', () => {
  const created: string[] = [];

  async function newConnection(name: string) {
    const response = await acme('POST', '/v1/connections', {
      body: {
        name,
        url: 'http://127.0.0.1:9/hook',
        auth: { type: 'signed' },
        messageEvents: [],
        channels: ['email'],
      },
    });
    created.push(response.body.id);
    return response.body as { id: string; version: number };
  }

  afterAll(async () => {
    await deleteConnections('acme', created);
  });

  it('applies a change based on the current version, in either form of If-Match', async () => {
    const connection = await newConnection('current');

    const bare = await acme('PATCH', `/v1/connections/${connection.id}`, {
      body: { name: 'first' },
      headers: { 'if-match': '1' },
    });
    const quoted = await acme('PATCH', `/v1/connections/${connection.id}`, {
      body: { name: 'second' },
      headers: { 'if-match': '"2"' },
    });

    expect(bare).toMatchObject({ status: 200, body: { name: 'first', version: 2 } });
    expect(quoted).toMatchObject({ status: 200, body: { name: 'second', version: 3 } });
  });

  it('refuses a change based on a former version with 409, naming the current one, and changes nothing', async () => {
    const connection = await newConnection('stale');
    await acme('PATCH', `/v1/connections/${connection.id}`, { body: { name: 'moved on' } });

    const stale = await acme('PATCH', `/v1/connections/${connection.id}`, {
      body: { name: 'based on version 1' },
      headers: { 'if-match': '1' },
    });

    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ statusCode: 409, currentVersion: 2 });
    expect(stale.body.message).toMatch(/is at version 2, not 1/);
    expect((await acme('GET', `/v1/connections/${connection.id}`)).body).toMatchObject({
      name: 'moved on',
      version: 2,
    });
  });

  it.each([
    ['POST', '/deactivate', undefined],
    ['POST', '/activate', undefined],
    ['POST', '/secret/rotate', undefined],
    ['PUT', '/templates/message_send', { template: { a: '{{email}}' } }],
    ['DELETE', '/templates/message_send', undefined],
    ['DELETE', '', undefined],
  ])('checks If-Match on %s {id}%s too', async (method, suffix, body) => {
    const connection = await newConnection('conditional');
    await acme('PATCH', `/v1/connections/${connection.id}`, { body: { name: 'moved on' } });

    const stale = await acme(method, `/v1/connections/${connection.id}${suffix}`, {
      body,
      headers: { 'if-match': '1' },
    });

    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(2);
    expect((await acme('GET', `/v1/connections/${connection.id}`)).body).toMatchObject({
      active: true,
      version: 2,
    });
  });

  it('lets exactly one of several changes based on the same version through', async () => {
    const connection = await newConnection('race');

    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        acme('PATCH', `/v1/connections/${connection.id}`, {
          body: { name: `writer ${index}` },
          headers: { 'if-match': '1' },
        }),
      ),
    );

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = answers.find((answer) => answer.status === 200)?.body;
    expect((await acme('GET', `/v1/connections/${connection.id}`)).body).toMatchObject({
      name: winner.name,
      version: 2,
    });
  });

  it('without If-Match, applies concurrent changes one after the other, so changes to different settings all stay', async () => {
    const connection = await newConnection('last writer wins');

    const answers = await Promise.all([
      acme('PATCH', `/v1/connections/${connection.id}`, { body: { name: 'renamed' } }),
      acme('PATCH', `/v1/connections/${connection.id}`, { body: { channels: ['sms'] } }),
      acme('PATCH', `/v1/connections/${connection.id}`, { body: { notifyOnErrorEmail: 'ops@example.com' } }),
      acme('PATCH', `/v1/connections/${connection.id}`, { body: { useStaticIp: true } }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((answer) => answer.body.version).sort()).toEqual([2, 3, 4, 5]);
    expect((await acme('GET', `/v1/connections/${connection.id}`)).body).toMatchObject({
      name: 'renamed',
      channels: ['sms'],
      notifyOnErrorEmail: 'ops@example.com',
      useStaticIp: true,
      version: 5,
    });
  });
});
