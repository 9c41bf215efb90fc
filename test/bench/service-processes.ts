import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { serviceNodeFlags } from '../../scripts/local-env.mjs';
import { root } from './local-stack';

export const SERVICES = [
  { name: 'admin-api', port: 3000 },
  { name: 'subscription-filter', port: 3001 },
  { name: 'renderer', port: 3002 },
  { name: 'delivery', port: 3003 },
  { name: 'notifier', port: 3004 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export interface RunningService {
  name: ServiceName;
  port: number;
  pid: number;
  child: ChildProcess;
}

/**
 * Starts the five built services, their output appended to `log`. `nodeFlags` adds Node.js
 * options to one service (the V8 profiler, for instance).
 */
export function startServices(
  env: Record<string, string>,
  envFor: (service: ServiceName) => Record<string, string>,
  portOffset: number,
  log: WriteStream,
  nodeFlags: (service: ServiceName) => string[] = () => [],
): RunningService[] {
  return SERVICES.map(({ name, port }) =>
    startService(name, { ...env, ...envFor(name) }, port + portOffset, log, { nodeFlags: nodeFlags(name) }),
  );
}

/**
 * Starts one built service on `port`. `label` names its lines in the log (a second replica of
 * the same service, for instance).
 */
export function startService(
  name: ServiceName,
  env: Record<string, string>,
  port: number,
  log: WriteStream,
  { nodeFlags = [], label = name }: { nodeFlags?: string[]; label?: string } = {},
): RunningService {
  const child = spawn(
    process.execPath,
    [...serviceNodeFlags(name), ...nodeFlags, join(root, 'dist', 'apps', name, 'main.js')],
    {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => log.write(`[${label}] ${chunk.toString()}`));
  }
  if (child.pid === undefined) throw new Error(`${label} did not start`);
  return { name, port, pid: child.pid, child };
}

export function baseUrl(service: RunningService): string {
  return `http://127.0.0.1:${service.port}`;
}

export async function waitUntilReady(services: RunningService[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const service of services) {
    for (;;) {
      if (service.child.exitCode !== null)
        throw new Error(`${service.name} exited with ${service.child.exitCode}`);
      try {
        const response = await fetch(`${baseUrl(service)}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${service.name} not ready after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** How a service stopped: seconds from SIGTERM to exit, and whether it had to be killed. */
export interface ServiceStop {
  name: ServiceName;
  seconds: number;
  killed: boolean;
  exitCode: number | null;
}

/** SIGTERM to each service by pid, SIGKILL for any still running after the grace period. */
export async function stopServices(services: RunningService[], graceMs = 20_000): Promise<ServiceStop[]> {
  return Promise.all(services.map((service) => stopService(service, graceMs)));
}

/**
 * Sends `first` (SIGTERM unless told) to the service by pid and waits for it to exit; SIGKILL
 * when it is still running after the grace period.
 */
export function stopService(
  { name, child, pid }: RunningService,
  graceMs = 20_000,
  first: NodeJS.Signals = 'SIGTERM',
): Promise<ServiceStop> {
  return new Promise<ServiceStop>((resolve) => {
    const started = performance.now();
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve({ name, seconds: 0, killed: false, exitCode: child.exitCode });
    }
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      signal(pid, 'SIGKILL');
    }, graceMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ name, seconds: (performance.now() - started) / 1000, killed, exitCode });
    });
    signal(pid, first);
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Builds the five services into dist/ (nx run-many -t build). */
export function buildServices(log: (line: string) => void): void {
  log('building the services (nx run-many -t build)');
  const result = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    },
  );
  if (result.status !== 0) throw new Error('the build failed');
}
