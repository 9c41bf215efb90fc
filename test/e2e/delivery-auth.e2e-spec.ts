import { Webhook } from 'standardwebhooks';
import {
  startAuthorizationServer,
  type AuthorizationServer,
  type FixtureClient,
} from '../../libs/outbound-auth/src/lib/oidc-provider.fixture';
import { adminRequest, apiKeys } from '../support/admin-api';
import { connect, publishMessageEvents } from '../support/connections';
import { disconnectProducer, TopicTap } from '../support/kafka';
import { Receiver } from '../support/receiver';

const settings = { messageEvents: ['message_failure'], channels: ['whatsapp'] };
const send = () => publishMessageEvents('acme', ['message_failure'], { channel: 'whatsapp' });

describe('endpoint authentication', () => {
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await Receiver.start();
  });

  afterEach(() => receiver.close());
  afterAll(() => disconnectProducer());

  it('sends Basic credentials', async () => {
    await connect('acme', {
      ...settings,
      name: 'basic',
      url: receiver.url,
      auth: { type: 'basic', username: 'hook', password: 'pa55:word' },
    });
    await send();
    const [request] = await receiver.waitFor(1);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('hook:pa55:word').toString('base64')}`);
  });

  it('sends a Bearer token', async () => {
    await connect('acme', {
      ...settings,
      name: 'bearer',
      url: receiver.url,
      auth: { type: 'bearer', token: 'tok-123' },
    });
    await send();
    const [request] = await receiver.waitFor(1);
    expect(request.headers.authorization).toBe('Bearer tok-123');
  });

  it('signs the payload so an off-the-shelf Standard Webhooks verifier accepts it', async () => {
    const connection = await connect('acme', {
      ...settings,
      name: 'signed',
      url: receiver.url,
      auth: { type: 'signed' },
    });
    const secret = (connection as any).auth.secret as string;
    expect(secret).toMatch(/^whsec_/);
    await send();
    const [request] = await receiver.waitFor(1);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(new Webhook(secret).verify(request.body, headers)).toMatchObject({ event: 'message_failure' });
    expect(() =>
      new Webhook(secret).verify(request.body.replace('message_failure', 'message_send'), headers),
    ).toThrow();
  });

  it('signs with both secrets while a rotated one is still valid', async () => {
    const created = await connect('acme', {
      ...settings,
      name: 'rotating',
      url: receiver.url,
      auth: { type: 'signed' },
    });
    const rotation = await adminRequest('POST', `/v1/connections/${created.id}/secret/rotate`, {
      key: apiKeys['acme'],
    });
    expect(rotation.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await send();
    const [request] = await receiver.waitFor(1);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [(created as any).auth.secret, rotation.body.auth.secret]) {
      expect(() => new Webhook(secret).verify(request.body, headers)).not.toThrow();
    }
  });

  describe('OAuth 2.0 client credentials', () => {
    const client: FixtureClient = {
      clientId: 'webhooks-e2e',
      clientSecret: 'e2e-client-secret-value',
      tokenLifetimeSeconds: 600,
    };
    let server: AuthorizationServer;
    let outcomes: TopicTap;

    beforeAll(async () => {
      server = await startAuthorizationServer([client]);
    });

    afterAll(() => server.close());

    beforeEach(async () => {
      outcomes = await TopicTap.open('webhooks.outcomes');
    });

    afterEach(() => outcomes.close());

    it('fetches a token the authorization server recognises, reuses it, and refreshes it once on a 401', async () => {
      let rejectFirst = true;
      receiver.behave(() => {
        if (rejectFirst) {
          rejectFirst = false;
          return { status: 401 };
        }
        return { status: 200 };
      });
      const connection = await connect('acme', {
        ...settings,
        name: 'oauth',
        url: receiver.url,
        auth: {
          type: 'oauth2',
          tokenUrl: server.tokenUrl,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          audience: 'https://hooks.example.com',
        },
      });
      await send();
      const [rejected, accepted] = await receiver.waitFor(2);
      const tokenOf = (request: typeof rejected) =>
        String(request.headers.authorization).replace(/^Bearer /, '');
      expect(tokenOf(accepted)).not.toBe(tokenOf(rejected));
      const introspection = await server.introspect(tokenOf(accepted), client);
      expect(introspection).toMatchObject({ active: true, client_id: client.clientId });

      const [outcome] = await outcomes.waitFor<Record<string, any>>(
        1,
        (o) => o['connection_id'] === connection.id,
      );
      expect(outcome).toMatchObject({ status: 'delivered', attempt: 1 });

      await send();
      const requests = await receiver.waitFor(3);
      expect(tokenOf(requests[2])).toBe(tokenOf(accepted));
      expect((await server.tokenRequests()).filter((request) => request.status === 200)).toHaveLength(2);
    });
  });
});
