import { randomUUID } from 'node:crypto';
import { AdminApiProcess, apiKeys, asProject, ConnectionFeed, deleteConnections } from '../support/admin-api';
import { disconnectProducer } from '../support/kafka';

const acme = asProject('acme');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('credentials', () => {
  const unique = randomUUID();
  const secrets = {
    password: `pw-${unique}`,
    token: `tok-${unique}`,
    clientSecret: `cs-${unique}`,
    newPassword: `pw2-${unique}`,
    rejectedPassword: `pw-rejected-${unique}`,
    rawBodyToken: `tok-raw-${unique}`,
    oversizeToken: `tok-big-${unique}`,
  };
  /** Signing secrets are generated: each one is added here as it is handed out. */
  const signingSecrets: string[] = [];
  const created: string[] = [];
  const responses: { what: string; text: string }[] = [];
  let feed: ConnectionFeed;

  const base = { url: 'http://127.0.0.1:9/hook', messageEvents: ['message_send'], channels: ['email'] };

  async function record(what: string, method: string, path: string, body?: unknown) {
    const response = await acme(method, path, { body });
    responses.push({ what, text: JSON.stringify(response.body) });
    return response;
  }

  beforeAll(async () => {
    feed = await ConnectionFeed.open();
  });

  afterAll(async () => {
    await deleteConnections('acme', created);
    await feed.close();
    await disconnectProducer();
  });

  it('are never in a response, except a generated signing secret in the response that generated it', async () => {
    const basic = await acme('POST', '/v1/connections', {
      body: { ...base, name: 'basic', auth: { type: 'basic', username: 'crm', password: secrets.password } },
    });
    const bearer = await acme('POST', '/v1/connections', {
      body: { ...base, name: 'bearer', auth: { type: 'bearer', token: secrets.token } },
    });
    const oauth2 = await acme('POST', '/v1/connections', {
      body: {
        ...base,
        name: 'oauth2',
        auth: {
          type: 'oauth2',
          tokenUrl: 'http://127.0.0.1:9/token',
          clientId: 'c',
          clientSecret: secrets.clientSecret,
        },
      },
    });
    const signed = await acme('POST', '/v1/connections', {
      body: { ...base, name: 'signed', auth: { type: 'signed' } },
    });
    for (const response of [basic, bearer, oauth2, signed]) {
      expect(response.status).toBe(201);
      created.push(response.body.id);
    }
    responses.push(
      ...[basic, bearer, oauth2].map((response) => ({ what: 'create', text: JSON.stringify(response.body) })),
    );
    signingSecrets.push(signed.body.auth.secret);

    for (const id of created) {
      await record('read', 'GET', `/v1/connections/${id}`);
      await record('deactivate', 'POST', `/v1/connections/${id}/deactivate`);
      await record('activate', 'POST', `/v1/connections/${id}/activate`);
    }
    await record('list', 'GET', '/v1/connections');
    await record('patch', 'PATCH', `/v1/connections/${basic.body.id}`, {
      auth: { type: 'basic', password: secrets.newPassword },
    });
    await record('refused patch', 'PATCH', `/v1/connections/${basic.body.id}`, {
      auth: { type: 'basic', password: secrets.rejectedPassword },
      url: 'ftp://nope',
    });
    await record('patch', 'PATCH', `/v1/connections/${signed.body.id}`, { name: 'signed, renamed' });
    await record('read', 'GET', `/v1/connections/${signed.body.id}`);

    const everySecret = [...Object.values(secrets), ...signingSecrets];
    for (const { what, text } of responses) {
      for (const secret of everySecret)
        expect({ what, leaked: text.includes(secret) }).toEqual({ what, leaked: false });
    }
    expect(responses.filter(({ text }) => /"(password|token|clientSecret|secret)"/.test(text))).toEqual([]);
    expect((await acme('GET', `/v1/connections/${basic.body.id}`)).body.auth).toEqual({
      type: 'basic',
      username: 'crm',
      passwordSet: true,
    });
    // The refused PATCH changed nothing: the password is the one of the accepted PATCH.
    const latest = feed.snapshots(basic.body.id).at(-1);
    expect(latest && feed.credentials(latest)).toEqual({
      type: 'basic',
      username: 'crm',
      password: secrets.newPassword,
    });
  });

  it('rotate: the new secret is shown once and the former one signs beside it for 24 hours', async () => {
    const signed = await acme('POST', '/v1/connections', {
      body: { ...base, name: 'rotating', auth: { type: 'signed' } },
    });
    created.push(signed.body.id);
    const first: string = signed.body.auth.secret;
    signingSecrets.push(first);

    const before = Date.now();
    const rotate = await acme('POST', `/v1/connections/${signed.body.id}/secret/rotate`);
    expect(rotate.status).toBe(200);
    const second: string = rotate.body.auth.secret;
    signingSecrets.push(second);
    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(second).not.toBe(first);
    expect(rotate.body).toMatchObject({ id: signed.body.id, version: 2 });
    const expiresAt = Date.parse(rotate.body.auth.previousSecretExpiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);

    const read = await acme('GET', `/v1/connections/${signed.body.id}`);
    expect(read.body.auth).toEqual({
      type: 'signed',
      secretSet: true,
      previousSecretExpiresAt: rotate.body.auth.previousSecretExpiresAt,
    });
    expect(feed.credentials(await feed.snapshot(signed.body.id, 2))).toEqual({
      type: 'signed',
      secret: second,
      previousSecret: first,
      previousSecretExpiresAt: rotate.body.auth.previousSecretExpiresAt,
    });

    // Rotating again within the 24 hours: the first secret stops, the second becomes the previous.
    const again = await acme('POST', `/v1/connections/${signed.body.id}/secret/rotate`);
    const third: string = again.body.auth.secret;
    signingSecrets.push(third);
    const credentials = feed.credentials(await feed.snapshot(signed.body.id, 3));
    expect(credentials).toEqual({
      type: 'signed',
      secret: third,
      previousSecret: second,
      previousSecretExpiresAt: again.body.auth.previousSecretExpiresAt,
    });
    expect(JSON.stringify(credentials)).not.toContain(first);
  });

  it('rotate refuses a connection that does not sign, naming auth.type', async () => {
    const bearer = await acme('POST', '/v1/connections', {
      body: { ...base, name: 'not signed', auth: { type: 'bearer', token: secrets.token } },
    });
    created.push(bearer.body.id);

    const rotate = await acme('POST', `/v1/connections/${bearer.body.id}/secret/rotate`);

    expect(rotate.status).toBe(400);
    expect(rotate.body.errors).toEqual([
      { field: 'auth.type', message: expect.stringContaining('auth.type is bearer') },
    ]);
    expect((await acme('GET', `/v1/connections/${bearer.body.id}`)).body.version).toBe(1);
  });

  it('are never logged, whatever the request did, even at debug level', async () => {
    const admin = await AdminApiProcess.start({ LOG_LEVEL: 'debug' });
    let log: string;
    const handedOut: string[] = [];
    const ids: string[] = [];
    try {
      const api = asProject('acme', admin.url);
      const createWith = async (name: string, auth: object) => {
        const response = await api('POST', '/v1/connections', { body: { ...base, name, auth } });
        expect(response.status).toBe(201);
        ids.push(response.body.id);
        return response.body;
      };
      const basic = await createWith('log basic', {
        type: 'basic',
        username: 'crm',
        password: secrets.password,
      });
      await createWith('log bearer', { type: 'bearer', token: secrets.token });
      await createWith('log oauth2', {
        type: 'oauth2',
        tokenUrl: 'http://127.0.0.1:9/token',
        clientId: 'c',
        clientSecret: secrets.clientSecret,
      });
      const signed = await createWith('log signed', { type: 'signed' });
      handedOut.push(signed.auth.secret);
      handedOut.push((await api('POST', `/v1/connections/${signed.id}/secret/rotate`)).body.auth.secret);
      expect(
        (
          await api('PATCH', `/v1/connections/${basic.id}`, {
            body: { auth: { type: 'basic', password: secrets.newPassword } },
          })
        ).status,
      ).toBe(200);
      const toSigned = await api('PATCH', `/v1/connections/${basic.id}`, {
        body: { auth: { type: 'signed' } },
      });
      handedOut.push(toSigned.body.auth.secret);
      for (const id of ids) expect((await api('GET', `/v1/connections/${id}`)).status).toBe(200);
      expect((await api('GET', '/v1/connections')).status).toBe(200);

      // Requests refused at every stage, each carrying a credential.
      const raw = (body: string, contentType = 'application/json') =>
        fetch(`${admin.url}/v1/connections`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKeys['acme']}`, 'content-type': contentType },
          body,
        });
      expect((await raw(`{"auth": {"type": "bearer", "token": "${secrets.rawBodyToken}"`)).status).toBe(400);
      expect((await raw(`token=${secrets.rawBodyToken}`, 'application/x-www-form-urlencoded')).status).toBe(
        415,
      );
      const oversize = JSON.stringify({
        auth: { type: 'bearer', token: secrets.oversizeToken },
        pad: 'x'.repeat(1024 * 1024),
      });
      expect((await raw(oversize)).status).toBe(413);
      const invalid = await api('POST', '/v1/connections', {
        body: {
          ...base,
          name: 'x',
          url: 'nope',
          auth: { type: 'basic', username: 'u', password: secrets.rejectedPassword },
        },
      });
      expect(invalid.status).toBe(400);
      const wrongKey = await fetch(`${admin.url}/v1/connections`, {
        headers: { authorization: `Bearer ${secrets.token}` },
      });
      expect(wrongKey.status).toBe(401);

      for (const id of ids) expect((await api('DELETE', `/v1/connections/${id}`)).status).toBe(204);
    } finally {
      log = await admin.stop();
    }

    // The log is there and holds these requests, just not their credentials. (The three refused for
    // their body are answered before the request logger runs, so they have no line at all; the one
    // without a valid key is refused before that, and logged as such.)
    const completed = log
      .split('\n')
      .filter(
        (line) =>
          line.includes('"msg":"request completed"') ||
          line.includes('"msg":"request refused before its body was read"'),
      )
      .map(
        (line) =>
          JSON.parse(line.slice(line.indexOf('{'))) as {
            req: { method: string; url: string };
            res: { statusCode: number };
          },
      );
    expect(completed.length).toBeGreaterThanOrEqual(18);
    expect(completed).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({ method: 'POST', url: '/v1/connections' }),
        res: expect.objectContaining({ statusCode: 400 }),
      }),
    );
    expect(completed).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({ method: 'PATCH', url: `/v1/connections/${ids[0]}` }),
      }),
    );
    expect(completed).toContainEqual(
      expect.objectContaining({ res: expect.objectContaining({ statusCode: 401 }) }),
    );
    const everySecret = [...Object.values(secrets), ...handedOut, ...Object.values(apiKeys)];
    expect(handedOut.filter((secret) => /^whsec_/.test(secret))).toHaveLength(3);
    for (const secret of everySecret) {
      expect({ secret, logged: log.includes(secret) }).toEqual({ secret, logged: false });
    }
  });
});
