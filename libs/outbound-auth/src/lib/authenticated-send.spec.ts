import type { Credentials } from '@campaign-webhooks/contracts';
import { WebhookSender } from '@campaign-webhooks/http-delivery';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendAuthenticated } from './authenticated-send';
import { OAuthTokenProvider } from './oauth-token-provider';
import {
  startAuthorizationServer,
  type AuthorizationServer,
  type FixtureClient,
} from './oidc-provider.fixture';
import { OutboundAuth, type OutboundRequest } from './outbound-auth';

jest.setTimeout(30_000);

const client: FixtureClient = { clientId: 'test-sends', clientSecret: 'test-sends-secret' };

interface ProtectedEndpoint {
  url: string;
  /** The authorization header of each request received, in order. */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * An endpoint on 127.0.0.1 that checks bearer tokens as a resource server does, by introspection
 * at the authorization server; with `refuseWith` it answers that status to valid tokens too.
 */
async function startProtectedEndpoint(
  server: AuthorizationServer,
  refuseWith?: number,
): Promise<ProtectedEndpoint> {
  const authorizations: string[] = [];
  const endpoint: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', async () => {
      const authorization = request.headers.authorization ?? '';
      authorizations.push(authorization);
      const token = authorization.replace(/^Bearer /, '');
      const { active } = await server.introspect(token, client);
      response.writeHead(refuseWith ?? (active ? 200 : 401)).end();
    });
  });
  await new Promise<void>((listening) => endpoint.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`,
    authorizations,
    close: () =>
      new Promise<void>((closed) => {
        endpoint.closeAllConnections();
        endpoint.close(() => closed());
      }),
  };
}

function request(): OutboundRequest {
  return { id: 'test-send-1', timestamp: Math.floor(Date.now() / 1000), body: '{"event":"message_send"}' };
}

describe('sendAuthenticated', () => {
  let server: AuthorizationServer;
  let tokens: OAuthTokenProvider;
  let sender: WebhookSender;
  let auth: OutboundAuth;
  let fetches: string[];
  let oauth2: Credentials;
  const endpoints: ProtectedEndpoint[] = [];

  beforeAll(async () => {
    server = await startAuthorizationServer([client]);
  });

  afterAll(() => server.close());

  beforeEach(() => {
    fetches = [];
    tokens = new OAuthTokenProvider({ policy: 'allow-private', onFetch: (outcome) => fetches.push(outcome) });
    sender = new WebhookSender({
      policy: 'allow-private',
      timeoutMs: 5000,
      userAgent: 'campaign-webhooks/test',
    });
    auth = new OutboundAuth({ tokens });
    oauth2 = {
      type: 'oauth2',
      tokenUrl: server.tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    };
  });

  afterEach(async () => {
    await Promise.all([
      tokens.close(),
      sender.close(),
      ...endpoints.splice(0).map((endpoint) => endpoint.close()),
    ]);
  });

  async function protectedEndpoint(refuseWith?: number): Promise<ProtectedEndpoint> {
    const endpoint = await startProtectedEndpoint(server, refuseWith);
    endpoints.push(endpoint);
    return endpoint;
  }

  it('after a 401 to a revoked OAuth 2.0 token, fetches a new token and sends once more', async () => {
    const endpoint = await protectedEndpoint();
    const revoked = (await auth.headersFor('c-1', oauth2, request())).authorization;
    await server.revoke(revoked.replace(/^Bearer /, ''), client);

    const result = await sendAuthenticated(
      { sender, auth },
      { connectionId: 'c-1', url: endpoint.url },
      oauth2,
      request(),
    );

    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(endpoint.authorizations).toHaveLength(2);
    expect(endpoint.authorizations[0]).toBe(revoked);
    expect(endpoint.authorizations[1]).toMatch(/^Bearer \S+$/);
    expect(endpoint.authorizations[1]).not.toBe(revoked);
    expect(fetches).toEqual(['ok', 'ok']);
  });

  it('refreshes only once: a second refusal is the answer', async () => {
    const endpoint = await protectedEndpoint(403);

    const result = await sendAuthenticated(
      { sender, auth },
      { connectionId: 'c-2', url: endpoint.url },
      oauth2,
      request(),
    );

    expect(result).toMatchObject({ kind: 'response', status: 403 });
    expect(endpoint.authorizations).toHaveLength(2);
    expect(fetches).toEqual(['ok', 'ok']);
  });

  it('sends once for credentials other than OAuth 2.0, whatever the answer', async () => {
    const endpoint = await protectedEndpoint();

    const result = await sendAuthenticated(
      { sender, auth },
      { connectionId: 'c-3', url: endpoint.url },
      { type: 'bearer', token: 'not-issued-here' },
      request(),
    );

    expect(result).toMatchObject({ kind: 'response', status: 401 });
    expect(endpoint.authorizations).toEqual(['Bearer not-issued-here']);
  });
});
