import { OAuthTokenError } from './oauth-token-error';
import { OAuthTokenProvider } from './oauth-token-provider';
import type { TokenRequestConfig } from './oauth-token-request';
import {
  startTokenEndpoint,
  tokenAnswer,
  type ScriptedAnswer,
  type TokenEndpoint,
} from './token-endpoint.fixture';

describe('OAuthTokenProvider timing, on a manual clock', () => {
  let endpoint: TokenEndpoint;
  let answer: () => ScriptedAnswer;
  let issued: number;
  let clock: number;
  let tokens: OAuthTokenProvider;
  let fetches: string[];

  beforeAll(async () => {
    endpoint = await startTokenEndpoint(() => answer());
  });

  afterAll(() => endpoint.close());

  beforeEach(() => {
    endpoint.requests.length = 0;
    issued = 0;
    clock = 1_000_000;
    fetches = [];
    answer = () => tokenAnswer(`token-${++issued}`, 3600);
    tokens = new OAuthTokenProvider({
      policy: 'allow-private',
      timeoutMs: 2000,
      now: () => clock,
      onFetch: (outcome) => fetches.push(outcome),
    });
  });

  afterEach(() => tokens.close());

  function config(extra: Partial<TokenRequestConfig> = {}): TokenRequestConfig {
    return { tokenUrl: endpoint.url, clientId: 'client-1', clientSecret: 'secret-1', ...extra };
  }

  describe('renewal', () => {
    it('renews refreshMarginMs (30 s) before expires_in', async () => {
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      clock += 3_570_000 - 1;
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      clock += 1;
      await expect(tokens.token('c', config())).resolves.toBe('token-2');
    });

    it('renews a short-lived token at half its lifetime rather than at every call', async () => {
      answer = () => tokenAnswer(`token-${++issued}`, 40);

      await tokens.token('c', config());
      clock += 19_999;
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      clock += 1;
      await expect(tokens.token('c', config())).resolves.toBe('token-2');
    });

    it('assumes 300 s when the server sends no expires_in', async () => {
      answer = () => tokenAnswer(`token-${++issued}`);

      await tokens.token('c', config());
      clock += 269_999;
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      clock += 1;
      await expect(tokens.token('c', config())).resolves.toBe('token-2');
    });
  });

  describe('after a failure', () => {
    beforeEach(() => {
      answer = () => ({ status: 503, body: '' });
    });

    it('returns the same error for a second without asking again, then retries', async () => {
      const first = await rejectionOf(tokens.token('c', config()));
      clock += 999;
      const second = await rejectionOf(tokens.token('c', config()));

      expect(second).toBe(first);
      expect(endpoint.requests).toHaveLength(1);

      answer = () => tokenAnswer(`token-${++issued}`, 3600);
      clock += 1;
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      expect(fetches).toEqual(['error', 'ok']);
    });

    it('asks at once when the configuration changed, and backs off per key', async () => {
      await rejectionOf(tokens.token('c', config()));
      answer = () => tokenAnswer(`token-${++issued}`, 3600);

      await expect(tokens.token('other', config())).resolves.toBe('token-1');
      await expect(tokens.token('c', config({ clientSecret: 'fixed' }))).resolves.toBe('token-2');
      expect(endpoint.requests).toHaveLength(3);
    });

    it('shares one failing request between concurrent callers', async () => {
      const failures = await Promise.all(
        Array.from({ length: 10 }, () => rejectionOf(tokens.token('c', config()))),
      );

      expect(new Set(failures).size).toBe(1);
      expect(endpoint.requests).toHaveLength(1);
      expect(fetches).toEqual(['error']);
    });
  });

  describe('when an early renewal fails', () => {
    const refreshAt = 1_000_000 + 3_570_000;
    const expiresAt = 1_000_000 + 3_600_000;

    beforeEach(async () => {
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      answer = () => ({ status: 503, body: '' });
    });

    it('keeps serving the unexpired token, asking again after the back-off, and rejects once it expires', async () => {
      clock = refreshAt;
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      expect(endpoint.requests).toHaveLength(2);

      clock += 1000;
      await expect(tokens.token('c', config())).resolves.toBe('token-1');
      expect(endpoint.requests).toHaveLength(3);

      clock = expiresAt;
      const failure = await rejectionOf(tokens.token('c', config()));
      expect(failure).toMatchObject({ kind: 'unreachable', status: 503 });
      expect(fetches).toEqual(['ok', 'error', 'error', 'error']);
    });

    it('shares one renewal between concurrent callers, each getting the unexpired token', async () => {
      clock = refreshAt;
      const answers = await Promise.all(Array.from({ length: 10 }, () => tokens.token('c', config())));

      expect(new Set(answers)).toEqual(new Set(['token-1']));
      expect(endpoint.requests).toHaveLength(2);
    });

    it('never serves again a token the endpoint rejected', async () => {
      clock = refreshAt;
      tokens.invalidate('c', 'token-1');

      await expect(rejectionOf(tokens.token('c', config()))).resolves.toMatchObject({ status: 503 });
      clock += 1000;
      await expect(rejectionOf(tokens.token('c', config()))).resolves.toMatchObject({ status: 503 });
    });
  });

  describe('invalidate', () => {
    it('drops the token only while it is the rejected one', async () => {
      await tokens.token('c', config());
      tokens.invalidate('c', 'some-older-token');
      tokens.invalidate('unknown', 'token-1');
      await expect(tokens.token('c', config())).resolves.toBe('token-1');

      tokens.invalidate('c', 'token-1');
      await expect(tokens.token('c', config())).resolves.toBe('token-2');
      tokens.invalidate('c', 'token-1');
      await expect(tokens.token('c', config())).resolves.toBe('token-2');
      expect(endpoint.requests).toHaveLength(2);
    });
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<OAuthTokenError> {
  const outcome: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof OAuthTokenError)) {
    throw new Error(`expected an OAuthTokenError, got ${String(outcome)}`);
  }
  return outcome;
}
