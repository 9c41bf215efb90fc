import { createEgressDispatcher } from '@campaign-webhooks/http-delivery';
import type { Dispatcher } from 'undici';
import { OAuthTokenError } from './oauth-token-error';
import { requestClientCredentialsToken, type TokenRequestConfig } from './oauth-token-request';
import {
  startTokenEndpoint,
  tokenAnswer,
  type ScriptedAnswer,
  type TokenEndpoint,
} from './token-endpoint.fixture';

const clientSecret = 's3cr3t-7d1a9e';

describe('requestClientCredentialsToken', () => {
  let endpoint: TokenEndpoint;
  let answer: () => ScriptedAnswer | Promise<ScriptedAnswer>;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    endpoint = await startTokenEndpoint(() => answer());
    dispatcher = createEgressDispatcher({ policy: 'allow-private', timeoutMs: 2000 });
  });

  afterAll(async () => {
    await dispatcher.close();
    await endpoint.close();
  });

  beforeEach(() => {
    endpoint.requests.length = 0;
    answer = () => tokenAnswer('token-1', 3600);
  });

  function config(extra: Partial<TokenRequestConfig> = {}): TokenRequestConfig {
    return { tokenUrl: endpoint.url, clientId: 'client-1', clientSecret, ...extra };
  }

  function exchange(extra: Partial<TokenRequestConfig> = {}, timeoutMs = 2000) {
    return requestClientCredentialsToken(config(extra), { dispatcher, policy: 'allow-private', timeoutMs });
  }

  async function failure(
    extra: Partial<TokenRequestConfig> = {},
    timeoutMs = 2000,
  ): Promise<OAuthTokenError> {
    const error: unknown = await exchange(extra, timeoutMs).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    if (!(error instanceof OAuthTokenError)) {
      throw new Error(`expected an OAuthTokenError, got ${String(error)}`);
    }
    expect(error.message).not.toContain(clientSecret);
    return error;
  }

  describe('the request', () => {
    it('POSTs grant_type=client_credentials with the client in a Basic header, form-encoded first', async () => {
      await exchange({ clientId: 'team a:eu', clientSecret: 'p@ss word:+%' });

      const [request] = endpoint.requests;
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request.headers['accept']).toBe('application/json');
      expect(request.headers['authorization']).toBe(
        `Basic ${Buffer.from('team+a%3Aeu:p%40ss+word%3A%2B%25').toString('base64')}`,
      );
      expect([...request.form]).toEqual([['grant_type', 'client_credentials']]);
    });

    it('adds scope and audience when they are set', async () => {
      await exchange({ scope: 'deliveries:write events:read', audience: 'https://api.example.com' });

      expect(Object.fromEntries(endpoint.requests[0].form)).toEqual({
        grant_type: 'client_credentials',
        scope: 'deliveries:write events:read',
        audience: 'https://api.example.com',
      });
    });
  });

  describe('a usable answer', () => {
    it('gives the access token and its lifetime', async () => {
      await expect(exchange()).resolves.toEqual({ accessToken: 'token-1', expiresInSeconds: 3600 });
    });

    it.each(['bearer', 'BEARER', 'Bearer'])('accepts token_type %s', async (tokenType) => {
      answer = () => ({ status: 200, body: JSON.stringify({ access_token: 't', token_type: tokenType }) });
      await expect(exchange()).resolves.toEqual({ accessToken: 't', expiresInSeconds: undefined });
    });

    it.each([
      ['"120"', 120],
      ['0', undefined],
      ['-5', undefined],
      ['"soon"', undefined],
      ['null', undefined],
    ])('reads expires_in %s as %p', async (expiresIn, expected) => {
      answer = () => ({
        status: 200,
        body: `{"access_token":"t","token_type":"Bearer","expires_in":${expiresIn}}`,
      });
      await expect(exchange()).resolves.toEqual({ accessToken: 't', expiresInSeconds: expected });
    });
  });

  describe('an answer that is not a bearer token', () => {
    it.each([
      ['not JSON', 'access_token=t&token_type=bearer', 'with a body that is not a JSON object'],
      ['a JSON array', '[]', 'with a body that is not a JSON object'],
      ['no access_token', '{"token_type":"Bearer"}', 'without a usable access_token'],
      ['an empty access_token', '{"access_token":"","token_type":"Bearer"}', 'without a usable access_token'],
      [
        'a token with a line break',
        '{"access_token":"t\\r\\nx: y","token_type":"Bearer"}',
        'without a usable access_token',
      ],
      ['another token_type', '{"access_token":"t","token_type":"mac"}', 'with token_type mac, not Bearer'],
      ['no token_type', '{"access_token":"t"}', 'with token_type undefined, not Bearer'],
    ])('is invalid_response: %s', async (_case, body, problem) => {
      answer = () => ({ status: 200, body });
      const error = await failure();

      expect(error).toMatchObject({ kind: 'invalid_response', status: 200 });
      expect(error.message).toBe(`OAuth token endpoint ${endpoint.url} answered HTTP 200 ${problem}`);
    });

    it('is invalid_response for a redirect, which is not followed', async () => {
      answer = () => ({ status: 302, body: '', headers: { location: `${endpoint.url}?followed=yes` } });
      const error = await failure();

      expect(error).toMatchObject({ kind: 'invalid_response', status: 302 });
      expect(error.message).toBe(
        `OAuth token endpoint ${endpoint.url} answered HTTP 302; redirects are not followed`,
      );
      expect(endpoint.requests).toHaveLength(1);
    });

    it('is invalid_response for a body over 64 KiB, which is not read to the end', async () => {
      answer = () => ({
        status: 200,
        body: `{"access_token":"${'x'.repeat(200_000)}","token_type":"Bearer"}`,
      });
      const error = await failure();

      expect(error).toMatchObject({ kind: 'invalid_response' });
      expect(error.message).toBe(`OAuth token endpoint ${endpoint.url} sent more than 65536 bytes`);
    });
  });

  describe('a refusal', () => {
    it('is rejected, quoting the OAuth error and its description', async () => {
      answer = () => ({
        status: 400,
        body: JSON.stringify({ error: 'invalid_scope', error_description: 'scope "admin" is not allowed' }),
      });
      const error = await failure({ scope: 'admin' });

      expect(error).toMatchObject({ kind: 'rejected', status: 400, oauthError: 'invalid_scope' });
      expect(error.message).toBe(
        `OAuth token request to ${endpoint.url} was rejected: HTTP 400 invalid_scope (scope "admin" is not allowed)`,
      );
    });

    it('is rejected with the status alone when the body says nothing', async () => {
      answer = () => ({ status: 403, body: 'Forbidden', headers: { 'content-type': 'text/plain' } });
      const error = await failure();

      expect(error).toMatchObject({ kind: 'rejected', status: 403, oauthError: undefined });
      expect(error.message).toBe(`OAuth token request to ${endpoint.url} was rejected: HTTP 403`);
    });

    it('never repeats the secret, even when the server echoes it, and strips control characters', async () => {
      answer = () => ({
        status: 401,
        body: JSON.stringify({
          error: 'invalid_client',
          error_description: `bad secret ${clientSecret}\nfake: line`,
        }),
      });
      const error = await failure();

      expect(error.message).toBe(
        `OAuth token request to ${endpoint.url} was rejected: HTTP 401 invalid_client (bad secret [redacted] fake: line)`,
      );
    });

    it('names the token URL without its query string', async () => {
      answer = () => ({ status: 401, body: '{"error":"invalid_client"}' });
      const error = await failure({ tokenUrl: `${endpoint.url}?api_key=abc123` });

      expect(error.message).toBe(
        `OAuth token request to ${endpoint.url} was rejected: HTTP 401 invalid_client`,
      );
    });
  });

  describe('no usable answer', () => {
    it.each([429, 500, 503])('is unreachable for HTTP %d', async (status) => {
      answer = () => ({ status, body: '{"error":"temporarily_unavailable"}' });
      const error = await failure();

      expect(error).toMatchObject({ kind: 'unreachable', status, oauthError: 'temporarily_unavailable' });
      expect(error.message).toBe(
        `OAuth token endpoint ${endpoint.url} is unavailable: HTTP ${status} temporarily_unavailable`,
      );
    });

    it('is unreachable when the server does not answer in time', async () => {
      answer = () =>
        new Promise<ScriptedAnswer>((later) => setTimeout(() => later(tokenAnswer('late')), 600));
      const error = await failure({}, 200);

      expect(error).toMatchObject({ kind: 'unreachable' });
      expect(error.message).toBe(`OAuth token request to ${endpoint.url} failed: no answer within 200 ms`);
    });

    it('is unreachable for a token URL that is not a URL, named vaguely', async () => {
      const error = await failure({ tokenUrl: 'not a url' });

      expect(error).toMatchObject({ kind: 'unreachable' });
      expect(error.message).toMatch(/^OAuth token URL refused: URL must /);
    });
  });
});
