/** A client of the running admin API, as a marketer's script would use it. */
export const adminApiUrl = process.env['ADMIN_API_URL'] ?? 'http://127.0.0.1:3000';

export const apiKeys = Object.fromEntries(
  (process.env['ADMIN_API_KEYS'] ?? '').split(',').map((pair) => {
    const colon = pair.indexOf(':');
    return [pair.slice(0, colon), pair.slice(colon + 1)];
  }),
) as Record<string, string>;

export async function adminRequest(
  method: string,
  path: string,
  { key, body }: { key?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${adminApiUrl}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function createConnection(project: string, settings: Record<string, unknown>) {
  const response = await adminRequest('POST', '/v1/connections', { key: apiKeys[project], body: settings });
  if (response.status !== 201)
    throw new Error(`create answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string } & Record<string, unknown>;
}
