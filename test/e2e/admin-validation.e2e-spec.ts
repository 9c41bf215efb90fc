import { AdminApiProcess, adminApiUrl, apiKeys, asProject, deleteConnections } from '../support/admin-api';

const acme = asProject('acme');

const valid = {
  name: 'valid',
  url: 'http://127.0.0.1:9/hook',
  auth: { type: 'none' },
  messageEvents: ['message_send'],
  channels: ['email'],
};

function fieldsOf(body: unknown): string[] {
  return ((body as { errors?: { field: string }[] } | undefined)?.errors ?? []).map((error) => error.field);
}

describe('validation of connection settings', () => {
  const created: string[] = [];
  let existing: { id: string; version: number };

  beforeAll(async () => {
    existing = (await acme('POST', '/v1/connections', { body: valid })).body;
    created.push(existing.id);
  });

  afterAll(async () => {
    await deleteConnections('acme', created);
  });

  it('creates the valid settings the cases below start from', () => {
    expect(existing.version).toBe(1);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a URL that is not one', { url: 'hooks.example.com/xp' }, 'url', /full http:\/\/ or https:\/\/ URL/],
    [
      'a URL of another scheme',
      { url: 'ftp://files.example.com/x' },
      'url',
      /full http:\/\/ or https:\/\/ URL/,
    ],
    [
      'a URL with credentials in it',
      { url: 'http://user:pw@127.0.0.1:9/' },
      'url',
      /must not contain credentials/,
    ],
    ['an empty URL', { url: '' }, 'url', /should not be empty/],
    ['no URL', { url: undefined }, 'url', /must be a string/],
    [
      'an unknown message event',
      { messageEvents: ['message_send', 'message_bounce'] },
      'messageEvents',
      /unknown message events "message_bounce"/,
    ],
    [
      'message events that are not a list',
      { messageEvents: 'message_send' },
      'messageEvents',
      /must be an array/,
    ],
    ['an unknown channel', { channels: ['email', 'fax'] }, 'channels', /unknown channels "fax"/],
    [
      'an unknown subscription event',
      { subscriptionEvents: ['opt_out'] },
      'subscriptionEvents',
      /unknown subscription events "opt_out"/,
    ],
    ['an unknown auth type', { auth: { type: 'digest' } }, 'auth.type', /must be one of/],
    [
      'basic without its password',
      { auth: { type: 'basic', username: 'u' } },
      'auth.password',
      /must be a string/,
    ],
    [
      'basic with an empty username',
      { auth: { type: 'basic', username: '', password: 'p' } },
      'auth.username',
      /should not be empty/,
    ],
    ['bearer without its token', { auth: { type: 'bearer' } }, 'auth.token', /must be a string/],
    [
      'oauth2 without its client secret',
      { auth: { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/token', clientId: 'c' } },
      'auth.clientSecret',
      /must be a string/,
    ],
    [
      'oauth2 with a token URL that is not one',
      { auth: { type: 'oauth2', tokenUrl: 'token-endpoint', clientId: 'c', clientSecret: 's' } },
      'auth.tokenUrl',
      /full http:\/\/ or https:\/\/ URL/,
    ],
    [
      'a field of another auth type',
      { auth: { type: 'bearer', token: 't', username: 'u' } },
      'auth.username',
      /not used by auth type bearer/,
    ],
    [
      'a signing secret of its own',
      { auth: { type: 'signed', secret: 'whsec_mine' } },
      'auth.secret',
      /should not exist/,
    ],
    ['no auth', { auth: undefined }, 'auth', /auth should not be null or undefined/],
    ['auth given as an array', { auth: [{ type: 'none' }] }, 'auth', /auth must be an object/],
    [
      'a bad email',
      { notifyOnErrorEmail: 'ops-at-example.com' },
      'notifyOnErrorEmail',
      /must be an email address/,
    ],
    ['an unknown field', { colour: 'blue' }, 'colour', /should not exist/],
    ['a flag that is not a boolean', { active: 'yes' }, 'active', /must be a boolean/],
    ['an empty name', { name: '' }, 'name', /should not be empty/],
    ['a name too long', { name: 'n'.repeat(201) }, 'name', /shorter than or equal to 200/],
  ])('refuses %s on create, naming the field', async (_case, change, field, message) => {
    const response = await acme('POST', '/v1/connections', { body: { ...valid, ...change } });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, message: 'validation failed' });
    expect(response.body.errors).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('names every bad field of one request', async () => {
    const response = await acme('POST', '/v1/connections', {
      body: { ...valid, url: 'nope', channels: ['fax'], notifyOnErrorEmail: 'x', extra: 1 },
    });

    expect(response.status).toBe(400);
    expect(new Set(fieldsOf(response.body))).toEqual(
      new Set(['url', 'channels', 'notifyOnErrorEmail', 'extra']),
    );
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a null name', { name: null }, 'name', /must be a string/],
    ['null channels', { channels: null }, 'channels', /must be an array/],
    ['a null flag', { active: null }, 'active', /must be a boolean/],
    ['a URL that is not one', { url: 'ftp://x.example.com' }, 'url', /full http:\/\/ or https:\/\/ URL/],
    [
      'an unknown event',
      { messageEvents: ['message_sent'] },
      'messageEvents',
      /unknown message events "message_sent"/,
    ],
    ['a bad email', { notifyOnErrorEmail: 'nobody' }, 'notifyOnErrorEmail', /must be an email address/],
    ['an auth change without a type', { auth: { token: 't' } }, 'auth.type', /must be one of/],
    [
      'a change of auth type that misses a required field',
      { auth: { type: 'basic', username: 'u' } },
      'auth.password',
      /required to change auth type from none to basic/,
    ],
    ['an unknown field', { id: '00000000-0000-0000-0000-000000000000' }, 'id', /should not exist/],
    ['a read-only field', { version: 9 }, 'version', /should not exist/],
  ])('refuses %s on PATCH, naming the field, and changes nothing', async (_case, patch, field, message) => {
    const response = await acme('PATCH', `/v1/connections/${existing.id}`, { body: patch });

    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({ field, message: expect.stringMatching(message) });
    expect((await acme('GET', `/v1/connections/${existing.id}`)).body).toMatchObject({
      ...valid,
      auth: { type: 'none' },
      version: 1,
    });
  });

  it('refuses an If-Match that is not a version, naming the header', async () => {
    const response = await acme('PATCH', `/v1/connections/${existing.id}`, {
      body: { name: 'x' },
      headers: { 'if-match': 'yesterday' },
    });

    expect(response.status).toBe(400);
    expect(fieldsOf(response.body)).toEqual(['If-Match']);
  });

  describe('request bodies', () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${adminApiUrl}/v1/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKeys['acme']}`, 'content-type': contentType },
        body,
      });

    it('refuses a body over 1 MiB with 413 and a JSON answer', async () => {
      const response = await post(JSON.stringify({ ...valid, name: 'n'.repeat(1024 * 1024) }));

      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'request body is larger than 1048576 bytes (1 MiB)',
      });
    });

    it('accepts a body just under 1 MiB as far as its size goes', async () => {
      const body = JSON.stringify({ ...valid, name: 'n'.repeat(1024 * 1024 - 200) });
      expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);

      const response = await post(body);

      expect(response.status).toBe(400);
      expect(fieldsOf(await response.json())).toEqual(['name']);
    });

    it.each(['{"name": "unterminated', '"just a string"', 'null', '[{"name": 1}]'])(
      'refuses %s: the body must be a JSON object',
      async (text) => {
        const response = await post(text);

        expect(response.status).toBe(400);
        const body = await response.json();
        expect(body).toMatchObject({ statusCode: 400 });
        expect(JSON.stringify(body)).not.toContain('unterminated');
      },
    );

    it.each<[string, string, string]>([
      ['a NUL character in a value', JSON.stringify({ ...valid, name: 'a\u0000b' }), 'name'],
      [
        'a NUL character in a key',
        JSON.stringify({ ...valid, auth: { type: 'none', 'x\u0000': 1 } }),
        'auth.x\u0000',
      ],
      ['nesting 300,000 levels deep', `{"name":${'['.repeat(300_000)}${']'.repeat(300_000)}}`, 'name'],
    ])('refuses %s with 400 naming where it is', async (_case, text, field) => {
      const response = await post(text);

      expect(response.status).toBe(400);
      const [named] = fieldsOf(await response.json());
      expect(named.startsWith(field)).toBe(true);
    });

    it('refuses a PATCH without a body instead of treating it as no change', async () => {
      const response = await fetch(`${adminApiUrl}/v1/connections/${existing.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${apiKeys['acme']}` },
      });

      expect(response.status).toBe(400);
      expect(fieldsOf(await response.json())).toEqual(['body']);
    });

    it('names a query parameter without a name', async () => {
      const response = await acme('GET', `/v1/connections/${existing.id}/deliveries?=x`);

      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toEqual(['(empty name)']);
    });

    it('takes a PATCH body as application/merge-patch+json too', async () => {
      const response = await acme('PATCH', `/v1/connections/${existing.id}`, {
        body: { name: valid.name },
        headers: { 'content-type': 'application/merge-patch+json' },
      });

      expect(response).toMatchObject({ status: 200, body: { name: valid.name, version: 1 } });
    });

    it('refuses a body that is not JSON with 415', async () => {
      const response = await post('name=x', 'application/x-www-form-urlencoded');

      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ statusCode: 415 });
    });
  });

  describe('under ENDPOINT_POLICY=public-https (an admin API process of its own)', () => {
    let admin: AdminApiProcess;
    let strict: ReturnType<typeof asProject>;

    beforeAll(async () => {
      admin = await AdminApiProcess.start({ ENDPOINT_POLICY: 'public-https' });
      strict = asProject('acme', admin.url);
    }, 90_000);

    afterAll(async () => {
      await admin?.stop();
    });

    it.each<[string, RegExp]>([
      ['http://hooks.example.com/hook', /^URL must be a full https:\/\/ URL$/],
      ['https://127.0.0.1/hook', /loopback/],
      ['https://10.1.2.3/hook', /private network/],
      ['https://[::ffff:192.168.0.1]/hook', /private network/],
      ['https://169.254.169.254/latest/meta-data', /cloud metadata service/],
      ['https://localhost/hook', /localhost/],
      // .invalid never resolves (RFC 6761): the name is looked up at save time and refused.
      ['https://hooks.nothing.invalid/hook', /^host hooks\.nothing\.invalid does not resolve/],
    ])('refuses %s on create, naming url', async (url, message) => {
      const response = await strict('POST', '/v1/connections', { body: { ...valid, url } });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(message) }]);
    });

    it('accepts a public https endpoint, and checks an OAuth token URL the same way', async () => {
      // Inactive: nothing is ever sent to this address.
      const accepted = await strict('POST', '/v1/connections', {
        body: { ...valid, url: 'https://93.184.216.34/hook', active: false },
      });
      const tokenUrl = await strict('POST', '/v1/connections', {
        body: {
          ...valid,
          url: 'https://93.184.216.34/hook',
          auth: {
            type: 'oauth2',
            tokenUrl: 'https://auth.nothing.invalid/token',
            clientId: 'c',
            clientSecret: 's',
          },
        },
      });

      expect(accepted.status).toBe(201);
      created.push(accepted.body.id);
      expect(tokenUrl.status).toBe(400);
      expect(tokenUrl.body.errors).toEqual([
        { field: 'auth.tokenUrl', message: expect.stringMatching(/does not resolve/) },
      ]);
    });

    it('checks a URL given to PATCH, and only a URL given', async () => {
      const path = `/v1/connections/${existing.id}`;

      const refused = await strict('PATCH', path, { body: { url: 'https://hooks.nothing.invalid/hook' } });
      const renamed = await strict('PATCH', path, { body: { name: 'renamed under public-https' } });

      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { field: 'url', message: expect.stringMatching(/does not resolve/) },
      ]);
      expect(renamed).toMatchObject({
        status: 200,
        body: { name: 'renamed under public-https', url: valid.url },
      });
      await acme('PATCH', path, { body: { name: valid.name } });
    });
  });
});
