import type { AddressResolver } from '@campaign-webhooks/http-delivery';
import { createServer, type AddressInfo, type Server } from 'node:net';
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
          'refusing to connect to auth\\.customer\\.example at 127\\.0\\.0\\.1: ',
      ),
    );
    expect(connections).toBe(0);
  });
});
