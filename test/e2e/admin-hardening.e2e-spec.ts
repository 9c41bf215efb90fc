import { AdminApiProcess, adminApiUrl, apiKeys } from '../support/admin-api';

describe('admin API hardening', () => {
  it('sends security headers, and no X-Powered-By', async () => {
    const response = await fetch(`${adminApiUrl}/v1/catalog`, {
      headers: { authorization: `Bearer ${apiKeys['acme']}` },
    });

    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store',
    });
    expect(response.headers.has('x-powered-by')).toBe(false);
  });

  it('asks for a key before it reads a body', async () => {
    const withoutKey = (init: RequestInit) =>
      fetch(`${adminApiUrl}/v1/connections/00000000-0000-4000-8000-000000000000`, {
        method: 'PATCH',
        ...init,
      });

    const answers = await Promise.all([
      withoutKey({}),
      withoutKey({ headers: { 'content-type': 'application/json' }, body: '{"name":' }),
      withoutKey({ headers: { 'content-type': 'text/plain' }, body: 'name' }),
      withoutKey({ headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect(await answers[1].json()).toMatchObject({ statusCode: 401, message: 'missing or invalid API key' });
  });

  describe('rate limits (an admin API process of its own: 1 request/s, bursts of 3)', () => {
    let admin: AdminApiProcess;
    beforeAll(async () => {
      admin = await AdminApiProcess.start({ ADMIN_RATE_LIMIT_PER_SECOND: '1', ADMIN_RATE_LIMIT_BURST: '3' });
    }, 90_000);
    afterAll(() => admin?.stop());

    const get = (key: string) =>
      fetch(`${admin.url}/v1/catalog`, { headers: { authorization: `Bearer ${key}` } });

    it('answers 429 with Retry-After once a project spends its burst, and leaves other projects alone', async () => {
      const statuses = [];
      for (let request = 0; request < 4; request++) statuses.push((await get(apiKeys['acme'])).status);
      const limited = await get(apiKeys['acme']);

      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({
        statusCode: 429,
        message: expect.stringContaining('rate limit'),
      });
      expect((await get(apiKeys['globex'])).status).toBe(200);
    });

    it('limits guesses of a key by address, whatever key is tried, and whatever body comes with it', async () => {
      const statuses = [];
      for (let guess = 0; guess < 4; guess++)
        statuses.push((await get(`guess-${guess}-0123456789abcdef`)).status);
      const withBody = await fetch(`${admin.url}/v1/connections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"not json',
      });

      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect([statuses[3], withBody.status]).toEqual([429, 429]);
    });
  });
});
