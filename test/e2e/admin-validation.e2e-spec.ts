import { adminApiUrl, apiKeys, asProject, deleteConnections } from '../support/admin-api';

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

    it('refuses a body that is not JSON with 415', async () => {
      const response = await post('name=x', 'application/x-www-form-urlencoded');

      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ statusCode: 415 });
    });
  });
});
