import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { OAuthTokenError } from './oauth-token-error';
import { OAuthTokenProvider, type OAuthTokenProviderOptions } from './oauth-token-provider';
import type { TokenRequestConfig } from './oauth-token-request';
import {
  startAuthorizationServer,
  type AuthorizationServer,
  type FixtureClient,
} from './oidc-provider.fixture';

jest.setTimeout(30_000);

const deliveryClient: FixtureClient = {
  clientId: 'delivery-service',
  clientSecret: 'a secret: with spaces+colons%',
};
const shortLivedClient: FixtureClient = {
  clientId: 'short-lived',
  clientSecret: 'short-lived-secret',
  tokenLifetimeSeconds: 2,
};

describe('OAuthTokenProvider against a real authorization server (oidc-provider)', () => {
  let server: AuthorizationServer;
  const providers: OAuthTokenProvider[] = [];

  beforeAll(async () => {
    server = await startAuthorizationServer([deliveryClient, shortLivedClient]);
  });

  afterAll(async () => {
    await server.close();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
  });

  function newProvider(options: OAuthTokenProviderOptions = {}): {
    tokens: OAuthTokenProvider;
    fetches: string[];
  } {
    const fetches: string[] = [];
    const tokens = new OAuthTokenProvider({
      policy: 'allow-private',
      timeoutMs: 5000,
      onFetch: (outcome) => fetches.push(outcome),
      ...options,
    });
    providers.push(tokens);
    return { tokens, fetches };
  }

  function configFor(client: FixtureClient, extra: Partial<TokenRequestConfig> = {}): TokenRequestConfig {
    return {
      tokenUrl: server.tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      ...extra,
    };
  }

  async function requestsSoFar(): Promise<number> {
    return (await server.tokenRequests()).length;
  }

  it('fetches a token the server recognises, with client_secret_basic, a form body, scope and audience', async () => {
    const { tokens } = newProvider();
    const before = await requestsSoFar();

    const token = await tokens.token(
      'connection-1',
      configFor(deliveryClient, { scope: 'deliveries:write', audience: 'https://api.example.com' }),
    );

    await expect(server.introspect(token, deliveryClient)).resolves.toMatchObject({
      active: true,
      client_id: 'delivery-service',
      aud: 'https://api.example.com',
      scope: 'deliveries:write',
      token_type: 'Bearer',
    });
    const seen = (await server.tokenRequests()).slice(before);
    expect(seen).toEqual([
      {
        status: 200,
        authorizationScheme: 'basic',
        contentType: 'application/x-www-form-urlencoded',
        grantType: 'client_credentials',
        scope: 'deliveries:write',
        audience: 'https://api.example.com',
        clientId: 'delivery-service',
        remoteAddress: '127.0.0.1',
      },
    ]);
  });

  it('answers from its cache until the token is due for renewal', async () => {
    const { tokens, fetches } = newProvider();
    const before = await requestsSoFar();

    const first = await tokens.token('connection-1', configFor(deliveryClient));
    const second = await tokens.token('connection-1', configFor(deliveryClient));

    expect(second).toBe(first);
    expect(fetches).toEqual(['ok']);
    expect(await requestsSoFar()).toBe(before + 1);
  });

  it('fetches a new token once the previous one has expired', async () => {
    const { tokens, fetches } = newProvider({ refreshMarginMs: 0 });
    const config = configFor(shortLivedClient);

    const first = await tokens.token('connection-2', config);
    await expect(tokens.token('connection-2', config)).resolves.toBe(first);
    await sleep(2100);

    const renewed = await tokens.token('connection-2', config);
    expect(renewed).not.toBe(first);
    expect(fetches).toEqual(['ok', 'ok']);
    await expect(server.introspect(first, shortLivedClient)).resolves.toEqual({ active: false });
    await expect(server.introspect(renewed, shortLivedClient)).resolves.toMatchObject({ active: true });
  });

  it('makes exactly one request for 20 concurrent callers', async () => {
    const { tokens, fetches } = newProvider();
    const before = await requestsSoFar();

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => tokens.token('connection-3', configFor(deliveryClient))),
    );

    expect(new Set(answers).size).toBe(1);
    expect(fetches).toEqual(['ok']);
    expect(await requestsSoFar()).toBe(before + 1);
  });

  it('after a token is rejected, refreshes once however many requests it failed', async () => {
    const { tokens, fetches } = newProvider();
    const config = configFor(deliveryClient);
    const rejected = await tokens.token('connection-4', config);
    await server.revoke(rejected, deliveryClient);

    for (let i = 0; i < 5; i += 1) {
      tokens.invalidate('connection-4', rejected);
    }
    const renewed = await Promise.all(Array.from({ length: 5 }, () => tokens.token('connection-4', config)));
    tokens.invalidate('connection-4', rejected);

    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(rejected);
    await expect(tokens.token('connection-4', config)).resolves.toBe(renewed[0]);
    expect(fetches).toEqual(['ok', 'ok']);
    await expect(server.introspect(renewed[0], deliveryClient)).resolves.toMatchObject({ active: true });
  });

  it('fetches a new token when the configuration changes, and keeps keys apart', async () => {
    const { tokens, fetches } = newProvider();

    const original = await tokens.token('connection-5', configFor(deliveryClient));
    const otherConnection = await tokens.token('connection-6', configFor(deliveryClient));
    const rescoped = await tokens.token(
      'connection-5',
      configFor(deliveryClient, { scope: 'deliveries:write' }),
    );

    expect(new Set([original, otherConnection, rescoped]).size).toBe(3);
    expect(fetches).toEqual(['ok', 'ok', 'ok']);
    await expect(server.introspect(rescoped, deliveryClient)).resolves.toMatchObject({ active: true });
  });

  it('reports a wrong client secret as rejected, without the secret in the message', async () => {
    const { tokens, fetches } = newProvider();
    const wrongSecret = 'wrong-secret-b6f0c2';

    const failure = await caught(
      tokens.token('connection-7', configFor(deliveryClient, { clientSecret: wrongSecret })),
    );

    expect(failure).toBeInstanceOf(OAuthTokenError);
    expect(failure).toMatchObject({ kind: 'rejected', status: 401, oauthError: 'invalid_client' });
    expect(failure.message).toBe(
      `OAuth token request to ${server.tokenUrl} was rejected: HTTP 401 invalid_client (client authentication failed)`,
    );
    expect(failure.message).not.toContain(wrongSecret);
    expect(failure.stack).not.toContain(wrongSecret);
    expect(fetches).toEqual(['error']);
  });

  it('reports a token URL nobody listens on as unreachable', async () => {
    const { tokens } = newProvider();
    const closedPort = await unusedPort();

    const failure = await caught(
      tokens.token(
        'connection-8',
        configFor(deliveryClient, { tokenUrl: `http://127.0.0.1:${closedPort}/token` }),
      ),
    );

    expect(failure).toMatchObject({ kind: 'unreachable' });
    expect(failure.message).toBe(
      `OAuth token request to http://127.0.0.1:${closedPort}/token failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
  });
});

async function caught(promise: Promise<unknown>): Promise<OAuthTokenError> {
  try {
    await promise;
  } catch (error) {
    return error as OAuthTokenError;
  }
  throw new Error('expected a rejection');
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((closed) => probe.close(() => closed()));
  return port;
}
