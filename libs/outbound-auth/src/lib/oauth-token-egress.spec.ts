import { createEgressDispatcher, type AddressResolver } from '@campaign-webhooks/http-delivery';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { OAuthTokenError } from './oauth-token-error';
import { OAuthTokenProvider } from './oauth-token-provider';

describe('OAuthTokenProvider egress guard (token URLs are customer input)', () => {
  let listener: Server;
  let port: number;
  let connections: number;
  let tokens: OAuthTokenProvider;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((listening) => listener.listen(0, '127.0.0.1', listening));
    port = (listener.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((closed) => listener.close(() => closed())));

  beforeEach(() => {
    connections = 0;
  });

  afterEach(() => tokens.close());

  async function refusal(tokenUrl: string): Promise<OAuthTokenError> {
    const outcome: unknown = await tokens
      .token('connection-1', { tokenUrl, clientId: 'client', clientSecret: 'secret' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (!(outcome instanceof OAuthTokenError)) {
      throw new Error(`expected an OAuthTokenError, got ${String(outcome)}`);
    }
    return outcome;
  }

  it('refuses a loopback token URL under the default public-https policy', async () => {
    tokens = new OAuthTokenProvider({ timeoutMs: 1000 });

    const error = await refusal(`https://127.0.0.1:${port}/token`);

    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(
      /^OAuth token URL refused: URL host 127\.0\.0\.1 is not a public address: /,
    );
    expect(connections).toBe(0);
  });

  it('refuses plain http under public-https: the client secret would travel in clear', async () => {
    tokens = new OAuthTokenProvider({ timeoutMs: 1000 });

    const error = await refusal('http://auth.example.com/token');

    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe('OAuth token URL refused: URL must be a full https:// URL');
  });

  it('refuses at connect time a public name that resolves to loopback (DNS rebinding)', async () => {
    const toLoopback: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    tokens = new OAuthTokenProvider({ timeoutMs: 1000, resolve: toLoopback });

    const error = await refusal(`https://auth.customer.example:${port}/token`);

    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(
      new RegExp(
        `^OAuth token request to https://auth\\.customer\\.example:${port}/token failed: ` +
          'refusing to connect to auth\\.customer\\.example: it resolves to an address that is not public: ',
      ),
    );
    expect(connections).toBe(0);
  });
});

describe('OAuthTokenProvider deadline (a server that accepts and never answers)', () => {
  const timeoutMs = 500;
  const margin = 300;
  const publicAddress: AddressResolver = (_hostname, _options, callback) =>
    callback(null, [{ address: '93.184.215.14', family: 4 }]);
  let silent: Server;
  let silentUrl: string;
  const sockets = new Set<Socket>();
  let dispatcher: Dispatcher | undefined;
  let tokens: OAuthTokenProvider | undefined;

  beforeEach(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      // Reads (and ignores) what comes, so that it sees the sender hang up.
      socket.resume();
    });
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    // Destroyed, not closed: before the fix, closing would wait for the request still pending.
    await dispatcher?.destroy();
    await tokens?.close();
    sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((closed) => silent.close(() => closed()));
    dispatcher = undefined;
    tokens = undefined;
  });

  /** The outcome of `token()`, or 'still pending' once `withinMs` have passed. */
  async function outcomeWithin(tokenUrl: string, withinMs: number): Promise<unknown> {
    const pending = tokens?.token('connection-1', { tokenUrl, clientId: 'client', clientSecret: 'secret' });
    return Promise.race([
      pending?.then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      new Promise((later) => setTimeout(later, withinMs, 'still pending')),
    ]);
  }

  it('rejects at the timeout through a proxy that never answers the CONNECT, and closes its socket', async () => {
    dispatcher = createEgressDispatcher({
      policy: 'public-https',
      timeoutMs,
      proxyUrl: silentUrl,
      resolve: publicAddress,
    });
    tokens = new OAuthTokenProvider({ timeoutMs, dispatcher });

    const outcome = await outcomeWithin('https://auth.example.com/token', timeoutMs + margin);

    expect(outcome).toBeInstanceOf(OAuthTokenError);
    expect((outcome as OAuthTokenError).kind).toBe('unreachable');
    expect((outcome as OAuthTokenError).message).toBe(
      `OAuth token request to https://auth.example.com/token failed: no answer within ${timeoutMs} ms`,
    );
    await waitFor(() => sockets.size === 0, margin * 2);
  });

  it('rejects at the timeout when the token endpoint itself never answers', async () => {
    tokens = new OAuthTokenProvider({ timeoutMs, policy: 'allow-private' });

    const outcome = await outcomeWithin(`${silentUrl}/token`, timeoutMs + margin);

    expect(outcome).toBeInstanceOf(OAuthTokenError);
    expect((outcome as OAuthTokenError).message).toMatch(/no answer within 500 ms$/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((tick) => setTimeout(tick, 10));
  }
}
