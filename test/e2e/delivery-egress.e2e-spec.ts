import {
  startAuthorizationServer,
  type AuthorizationServer,
} from '../../libs/outbound-auth/src/lib/oidc-provider.fixture';
import { adminRequest, apiKeys } from '../support/admin-api';
import { connect, publishMessageEvents } from '../support/connections';
import { disconnectProducer } from '../support/kafka';
import { Receiver } from '../support/receiver';

let receiver: Receiver;

beforeAll(async () => {
  receiver = await Receiver.start();
});

afterAll(async () => {
  await receiver.close();
  await disconnectProducer();
});

// npm test runs delivery with STATIC_EGRESS_LOCAL_ADDRESS=127.0.0.2.
describe('use static IP', () => {
  it('sends the connections that ask for it from the static egress address, and only those', async () => {
    const settings = { auth: { type: 'none' }, messageEvents: ['message_open'], channels: ['push'] };
    await connect('globex', {
      ...settings,
      name: 'static',
      url: `${receiver.url}?static`,
      useStaticIp: true,
    });
    await connect('globex', {
      ...settings,
      name: 'ordinary',
      url: `${receiver.url}?ordinary`,
      useStaticIp: false,
    });
    await publishMessageEvents('globex', ['message_open'], { channel: 'push' });

    const requests = await receiver.waitFor(2);
    const byPath = Object.fromEntries(requests.map((request) => [request.path, request.remoteAddress]));
    expect(byPath['/hook?static']).toMatch(/127\.0\.0\.2$/);
    expect(byPath['/hook?ordinary']).toMatch(/127\.0\.0\.1$/);
  });

  it('sends test events of such a connection from the static address too', async () => {
    const connection = await connect('globex', {
      name: 'static test',
      url: `${receiver.url}?static-test`,
      useStaticIp: true,
      auth: { type: 'none' },
      messageEvents: ['message_open'],
      channels: ['push'],
    });
    const before = receiver.requests.length;

    const test = await adminRequest('POST', `/v1/connections/${connection.id}/test`, {
      key: apiKeys['globex'],
      body: { event: 'message_open' },
    });

    expect(test).toMatchObject({ status: 200, body: { status: 'delivered' } });
    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    expect(request.path).toBe('/hook?static-test');
    expect(request.remoteAddress).toMatch(/127\.0\.0\.2$/);
  });

  describe('with OAuth 2.0', () => {
    const client = { clientId: 'webhooks-e2e-static', clientSecret: 'e2e-static-client-secret' };
    let server: AuthorizationServer;

    beforeAll(async () => {
      server = await startAuthorizationServer([client]);
    });

    afterAll(() => server.close());

    it('asks for its tokens from the static egress address too', async () => {
      await connect('globex', {
        name: 'static oauth',
        url: `${receiver.url}?static-oauth`,
        useStaticIp: true,
        auth: { type: 'oauth2', tokenUrl: server.tokenUrl, ...client },
        messageEvents: ['message_click'],
        channels: ['push'],
      });
      await publishMessageEvents('globex', ['message_click'], { channel: 'push' });

      const [request] = (await receiver.waitFor(4)).filter((each) => each.path === '/hook?static-oauth');
      expect(request.remoteAddress).toMatch(/127\.0\.0\.2$/);
      const tokens = (await server.tokenRequests()).filter((each) => each.clientId === client.clientId);
      expect(tokens.map((each) => [each.status, each.remoteAddress])).toEqual([
        [200, expect.stringMatching(/127\.0\.0\.2$/)],
      ]);
    });
  });
});

describe('endpoint names', () => {
  it('delivers to a name the hosts file gives (localhost)', async () => {
    const url = new URL(receiver.url);
    url.hostname = 'localhost';
    await connect('globex', {
      name: 'by name',
      url: `${url.href}?by-name`,
      auth: { type: 'none' },
      messageEvents: ['message_delivery'],
      channels: ['sms'],
    });
    const before = receiver.requests.length;
    await publishMessageEvents('globex', ['message_delivery'], { channel: 'sms' });

    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    expect(request.path).toBe('/hook?by-name');
    expect(request.headers['host']).toBe(`localhost:${url.port}`);
  });
});
