import { randomUUID } from 'node:crypto';
import { adminRequest, apiKeys, asProject, deleteConnections } from '../support/admin-api';

const acme = asProject('acme');
const globex = asProject('globex');

/** Every endpoint that names a connection, with a body that would be valid for it. */
function connectionEndpoints(id: string): [string, string, unknown][] {
  return [
    ['GET', `/v1/connections/${id}`, undefined],
    ['PATCH', `/v1/connections/${id}`, { name: 'taken over', active: false }],
    ['POST', `/v1/connections/${id}/deactivate`, undefined],
    ['POST', `/v1/connections/${id}/activate`, undefined],
    ['POST', `/v1/connections/${id}/secret/rotate`, undefined],
    ['GET', `/v1/connections/${id}/templates/message_send`, undefined],
    ['PUT', `/v1/connections/${id}/templates/message_send`, { template: { hijacked: '{{email}}' } }],
    ['DELETE', `/v1/connections/${id}/templates/message_open`, undefined],
    ['DELETE', `/v1/connections/${id}`, undefined],
  ];
}

describe("one project's key and another project's connections", () => {
  let acmeConnection: { id: string };
  let globexConnection: { id: string };

  beforeAll(async () => {
    const settings = {
      url: 'http://127.0.0.1:9/hook',
      auth: { type: 'signed' },
      messageEvents: ['message_send'],
      channels: ['email'],
    };
    acmeConnection = (await acme('POST', '/v1/connections', { body: { ...settings, name: 'acme only' } }))
      .body;
    globexConnection = (
      await globex('POST', '/v1/connections', { body: { ...settings, name: 'globex only' } })
    ).body;
    const template = { template: { mine: '{{email}}' } };
    expect(
      (await acme('PUT', `/v1/connections/${acmeConnection.id}/templates/message_open`, { body: template }))
        .status,
    ).toBe(200);
  });

  afterAll(async () => {
    await deleteConnections('acme', [acmeConnection.id]);
    await deleteConnections('globex', [globexConnection.id]);
  });

  it.each(connectionEndpoints('{id}'))(
    "answers %s %s with 404 for another project's connection",
    async (method, path, body) => {
      const acmeBefore = (await acme('GET', `/v1/connections/${acmeConnection.id}`)).body;

      const response = await globex(method, path.replace('{id}', acmeConnection.id), { body });

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({
        statusCode: 404,
        message: `connection ${acmeConnection.id} not found`,
      });
      expect(JSON.stringify(response.body)).not.toContain('acme only');
      // Nothing changed either.
      const acmeAfter = await acme('GET', `/v1/connections/${acmeConnection.id}`);
      expect(acmeAfter).toMatchObject({ status: 200, body: acmeBefore });
      const template = await acme('GET', `/v1/connections/${acmeConnection.id}/templates/message_open`);
      expect(template.body).toEqual({
        event: 'message_open',
        template: { mine: '{{email}}' },
        isDefault: false,
      });
    },
  );

  it('answers 404 the same way for an id that exists nowhere and for one that is not a UUID', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      for (const [method, path, body] of connectionEndpoints(id)) {
        const response = await acme(method, path, { body });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      }
    }
  });

  it("lists only the caller's own connections", async () => {
    const acmeIds = (await acme('GET', '/v1/connections')).body.items.map((item: { id: string }) => item.id);
    const globexIds = (await globex('GET', '/v1/connections')).body.items.map(
      (item: { id: string }) => item.id,
    );

    expect(acmeIds).toContain(acmeConnection.id);
    expect(acmeIds).not.toContain(globexConnection.id);
    expect(globexIds).toContain(globexConnection.id);
    expect(globexIds).not.toContain(acmeConnection.id);
  });

  describe('without a valid API key', () => {
    const everyEndpoint = (id: string): [string, string, unknown][] => [
      ['GET', '/v1/catalog', undefined],
      ['GET', '/v1/connections', undefined],
      [
        'POST',
        '/v1/connections',
        {
          name: 'x',
          url: 'http://127.0.0.1:9/hook',
          auth: { type: 'none' },
          messageEvents: [],
          channels: [],
        },
      ],
      ...connectionEndpoints(id),
    ];
    const badCredentials: [string, Record<string, string>][] = [
      ['no authorization header', {}],
      ['a wrong key', { authorization: 'Bearer not-a-key-of-anyone-0123456789' }],
      ['a key of the wrong scheme', { authorization: `Basic ${apiKeys['acme']}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ];

    it.each(badCredentials)(
      'answers 401 on every endpoint with %s, and changes nothing',
      async (_case, headers) => {
        const before = (await acme('GET', `/v1/connections/${acmeConnection.id}`)).body;

        for (const [method, path, body] of everyEndpoint(acmeConnection.id)) {
          const response = await adminRequest(method, path, { body, headers });
          expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
          expect(response.body).toMatchObject({ statusCode: 401, message: 'missing or invalid API key' });
        }

        expect((await acme('GET', `/v1/connections/${acmeConnection.id}`)).body).toEqual(before);
      },
    );
  });
});
