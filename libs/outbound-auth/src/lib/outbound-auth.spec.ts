import type { Credentials } from '@campaign-webhooks/contracts';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { OAuthTokenProvider } from './oauth-token-provider';
import {
  startAuthorizationServer,
  type AuthorizationServer,
  type FixtureClient,
} from './oidc-provider.fixture';
import { OutboundAuth, type OutboundRequest } from './outbound-auth';

jest.setTimeout(30_000);

const client: FixtureClient = { clientId: 'webhooks', clientSecret: 'webhooks-secret' };

function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function attempt(body = '{"event":"message_send"}'): OutboundRequest {
  return { id: 'delivery-1', timestamp: Math.floor(Date.now() / 1000), body };
}

describe('OutboundAuth', () => {
  let server: AuthorizationServer;
  let tokens: OAuthTokenProvider;
  let fetches: string[];
  let auth: OutboundAuth;
  let oauth2: Credentials;

  beforeAll(async () => {
    server = await startAuthorizationServer([client]);
  });

  afterAll(() => server.close());

  beforeEach(() => {
    fetches = [];
    tokens = new OAuthTokenProvider({ policy: 'allow-private', onFetch: (outcome) => fetches.push(outcome) });
    auth = new OutboundAuth({ tokens });
    oauth2 = {
      type: 'oauth2',
      tokenUrl: server.tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    };
  });

  afterEach(() => tokens.close());

  it('adds nothing without authentication', async () => {
    await expect(auth.headersFor('c', { type: 'none' }, attempt())).resolves.toEqual({});
  });

  it('adds Basic and Bearer authorization', async () => {
    await expect(
      auth.headersFor('c', { type: 'basic', username: 'Aladdin', password: 'open sesame' }, attempt()),
    ).resolves.toEqual({ authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' });
    await expect(auth.headersFor('c', { type: 'bearer', token: 'abc.def' }, attempt())).resolves.toEqual({
      authorization: 'Bearer abc.def',
    });
  });

  it('rejects, rather than throws, for a username the Basic scheme cannot carry', async () => {
    const headers = auth.headersFor('c', { type: 'basic', username: 'a:b', password: 'p' }, attempt());
    await expect(headers).rejects.toThrow('must not contain ":"');
  });

  it('signs with every active secret, as the receiver checks it', async () => {
    const [secret, previousSecret] = [newSecret(), newSecret()];
    let now = Date.parse('2026-11-27T12:00:00Z');
    auth = new OutboundAuth({ tokens, now: () => now });
    const credentials: Credentials = {
      type: 'signed',
      secret,
      previousSecret,
      previousSecretExpiresAt: '2026-11-28T12:00:00Z',
    };
    const request = attempt();
    const receiverHeaders = (signature: string) => ({
      'webhook-id': request.id,
      'webhook-timestamp': String(request.timestamp),
      'webhook-signature': signature,
    });

    const duringRotation = await auth.headersFor('c', credentials, request);
    expect(Object.keys(duringRotation)).toEqual(['webhook-signature']);
    expect(() =>
      new Webhook(secret).verify(request.body, receiverHeaders(duringRotation['webhook-signature'])),
    ).not.toThrow();
    expect(() =>
      new Webhook(previousSecret).verify(request.body, receiverHeaders(duringRotation['webhook-signature'])),
    ).not.toThrow();

    now = Date.parse('2026-11-28T12:00:00Z');
    const afterRotation = await auth.headersFor('c', credentials, request);
    expect(afterRotation['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() =>
      new Webhook(previousSecret).verify(request.body, receiverHeaders(afterRotation['webhook-signature'])),
    ).toThrow();
  });

  it('sends an OAuth 2.0 access token the authorization server issued, fetched once', async () => {
    const first = await auth.headersFor('c', oauth2, attempt());
    const second = await auth.headersFor('c', oauth2, attempt());

    expect(second).toEqual(first);
    expect(first.authorization).toMatch(/^Bearer \S+$/);
    await expect(
      server.introspect(first.authorization.slice('Bearer '.length), client),
    ).resolves.toMatchObject({
      active: true,
      client_id: 'webhooks',
    });
    expect(fetches).toEqual(['ok']);
  });

  it('refreshes the token once after many requests were refused with it', async () => {
    const sent = await Promise.all(Array.from({ length: 10 }, () => auth.headersFor('c', oauth2, attempt())));
    const revoked = sent[0].authorization.slice('Bearer '.length);
    await server.revoke(revoked, client);

    for (const headers of sent) {
      auth.rejected('c', oauth2, headers);
    }
    const retried = await Promise.all(
      Array.from({ length: 10 }, () => auth.headersFor('c', oauth2, attempt())),
    );

    expect(new Set(retried.map((headers) => headers.authorization)).size).toBe(1);
    expect(retried[0].authorization).not.toBe(sent[0].authorization);
    await expect(server.introspect(revoked, client)).resolves.toEqual({ active: false });
    await expect(
      server.introspect(retried[0].authorization.slice('Bearer '.length), client),
    ).resolves.toMatchObject({ active: true });
    expect(fetches).toEqual(['ok', 'ok']);
  });

  it('ignores a refusal for credentials other than OAuth 2.0', async () => {
    const invalidate = jest.spyOn(tokens, 'invalidate');
    const bearer: Credentials = { type: 'bearer', token: 't' };

    auth.rejected('c', bearer, await auth.headersFor('c', bearer, attempt()));
    auth.rejected('c', oauth2, {});

    expect(invalidate).not.toHaveBeenCalled();
  });
});
