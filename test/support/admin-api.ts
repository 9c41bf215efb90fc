import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  credentialsContext,
  credentialsSchema,
  type ConnectionSnapshot,
  type Credentials,
} from '@campaign-webhooks/contracts';
import { parseSecretsKey, SecretBox } from '@campaign-webhooks/secrets';
import { TopicTap } from './kafka';

/** A client of the running admin API, as a marketer's script would use it. */
export const adminApiUrl = process.env['ADMIN_API_URL'] ?? 'http://127.0.0.1:3000';

export const apiKeys = Object.fromEntries(
  (process.env['ADMIN_API_KEYS'] ?? '').split(',').map((pair) => {
    const colon = pair.indexOf(':');
    return [pair.slice(0, colon), pair.slice(colon + 1)];
  }),
) as Record<string, string>;

export interface AdminResponse {
  status: number;
  headers: Headers;
  body: any;
}

export async function adminRequest(
  method: string,
  path: string,
  {
    key,
    body,
    headers = {},
    baseUrl = adminApiUrl,
  }: { key?: string; body?: unknown; headers?: Record<string, string>; baseUrl?: string } = {},
): Promise<AdminResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** A request on behalf of one project (`acme`, `globex`), with its API key. */
export function asProject(project: string, baseUrl = adminApiUrl) {
  const key = apiKeys[project];
  if (!key) throw new Error(`no API key for project ${project} in ADMIN_API_KEYS`);
  return (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
    adminRequest(method, path, { key, baseUrl, ...options });
}

export async function createConnection(project: string, settings: Record<string, unknown>) {
  const response = await adminRequest('POST', '/v1/connections', { key: apiKeys[project], body: settings });
  if (response.status !== 201)
    throw new Error(`create answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; version: number } & Record<string, unknown>;
}

/** Deletes what a suite created; connections already deleted are fine. */
export async function deleteConnections(project: string, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const response = await adminRequest('DELETE', `/v1/connections/${id}`, { key: apiKeys[project] });
    if (response.status !== 204 && response.status !== 404)
      throw new Error(`delete answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** The connection change feed as the pipeline reads it. */
export class ConnectionFeed {
  private readonly secrets = new SecretBox(parseSecretsKey(process.env['SECRETS_KEY'] ?? ''));

  private constructor(private readonly tap: TopicTap) {}

  static async open(): Promise<ConnectionFeed> {
    return new ConnectionFeed(
      await TopicTap.open(process.env['TOPIC_CONNECTIONS'] ?? 'webhooks.connections'),
    );
  }

  /** The snapshot published for this version of the connection. */
  async snapshot(id: string, version: number, timeoutMs = 15_000): Promise<ConnectionSnapshot> {
    const [found] = await this.tap.waitFor<ConnectionSnapshot>(
      1,
      (snapshot) => snapshot.id === id && snapshot.version === version,
      timeoutMs,
    );
    return found;
  }

  /** Every snapshot published for the connection so far (tombstones aside), oldest first. */
  snapshots(id: string): ConnectionSnapshot[] {
    return this.tap.records
      .filter((record) => record.key === id && record.value !== null)
      .map((record) => JSON.parse(record.value as string) as ConnectionSnapshot);
  }

  async tombstone(id: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.tap.records.some((record) => record.key === id && record.value === null)) {
      if (Date.now() > deadline) throw new Error(`no tombstone for ${id} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The snapshot's credentials, opened with the deployment's SECRETS_KEY as the delivery service does. */
  credentials(snapshot: ConnectionSnapshot): Credentials {
    if (snapshot.credentials === null) return { type: 'none' };
    return credentialsSchema.parse(
      this.secrets.openJson(snapshot.credentials, credentialsContext(snapshot.project_id, snapshot.id)),
    );
  }

  close(): Promise<void> {
    return this.tap.close();
  }
}

/**
 * A separate admin API process of the built service, on the same Kafka and PostgreSQL as the others,
 * whose every log line this test process reads itself. (The shared services' output reaches
 * SERVICES_LOG only as the test runner drains it, which it does not do while the suites run.)
 */
export class AdminApiProcess {
  private readonly lines: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => this.lines.push(chunk.toString()));
  }

  static async start(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<AdminApiProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [join(__dirname, '..', '..', 'dist', 'apps', 'admin-api', 'main.js')],
      {
        env: { ...process.env, ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const instance = new AdminApiProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`admin-api exited with ${child.exitCode}: ${instance.output}`);
      const ready = await fetch(`${instance.url}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return instance;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`admin-api not ready within ${timeoutMs} ms: ${instance.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.lines.join('');
  }

  /** Stops it (SIGTERM, a graceful shutdown) and answers everything it wrote, to its last line. */
  stop(): Promise<string> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve(this.output);
      this.child.once('close', () => resolve(this.output));
      this.child.kill('SIGTERM');
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
