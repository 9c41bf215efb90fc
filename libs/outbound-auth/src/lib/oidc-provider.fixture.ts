import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { clientSecretBasic } from './oauth-token-request';

export interface FixtureClient {
  clientId: string;
  clientSecret: string;
  /** Default 600. */
  tokenLifetimeSeconds?: number;
}

export interface SeenTokenRequest {
  status: number;
  authorizationScheme: string;
  contentType: string;
  grantType?: string;
  scope?: string;
  audience?: string;
  clientId?: string;
  /** Where the request came from (a static egress address, say). */
  remoteAddress?: string;
}

export interface Introspection {
  active: boolean;
  client_id?: string;
  aud?: string;
  scope?: string;
  exp?: number;
  token_type?: string;
}

export interface AuthorizationServer {
  issuer: string;
  tokenUrl: string;
  tokenRequests(): Promise<SeenTokenRequest[]>;
  /** RFC 7662 introspection, authenticated as `client`. */
  introspect(token: string, client: FixtureClient): Promise<Introspection>;
  /** RFC 7009 revocation, as a resource server would see a token stop working. */
  revoke(token: string, client: FixtureClient): Promise<void>;
  close(): Promise<void>;
}

interface Endpoints {
  issuer: string;
  tokenUrl: string;
  introspectionUrl: string;
  revocationUrl: string;
}

const STARTUP_TIMEOUT_MS = 20_000;

/**
 * A real oidc-provider authorization server on 127.0.0.1, in a child process: oidc-provider is
 * ESM-only and jest runs this code as CommonJS.
 */
export async function startAuthorizationServer(clients: FixtureClient[]): Promise<AuthorizationServer> {
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider-server.fixture.mjs')], {
    env: { ...process.env, OIDC_FIXTURE_CLIENTS: JSON.stringify(clients) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoints = await readEndpoints(child, () => stderr);
  return {
    issuer: endpoints.issuer,
    tokenUrl: endpoints.tokenUrl,
    tokenRequests: async () => {
      const response = await fetch(`${endpoints.issuer}/__stats`);
      return ((await response.json()) as { tokenRequests: SeenTokenRequest[] }).tokenRequests;
    },
    introspect: async (token, client) =>
      (await postForm(endpoints.introspectionUrl, client, { token })).json() as Promise<Introspection>,
    revoke: async (token, client) => {
      await postForm(endpoints.revocationUrl, client, { token });
    },
    close: () => stop(child),
  };
}

function readEndpoints(
  child: ChildProcessByStdio<null, Readable, Readable>,
  stderr: () => string,
): Promise<Endpoints> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const finish = (): void => {
      clearTimeout(startupTimeout);
      child.off('exit', onExit);
      lines.close();
    };
    const fail = (message: string): void => {
      finish();
      child.kill('SIGKILL');
      reject(new Error(`${message}:\n${stderr()}`));
    };
    const onExit = (): void => fail('the authorization server exited on start');
    const startupTimeout = setTimeout(
      () => fail(`the authorization server did not start within ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    child.once('exit', onExit);
    lines.once('line', (line: string) => {
      finish();
      resolve(JSON.parse(line) as Endpoints);
    });
  });
}

async function postForm(url: string, client: FixtureClient, form: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: clientSecretBasic(client.clientId, client.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  }
  return response;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const forceKill = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(forceKill);
}
