// Starting and stopping the stack and the services from the npm scripts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, serviceNodeFlags, SERVICES } from './local-env.mjs';

/**
 * Like run(), without blocking this process: the services' output pipes keep draining while the
 * command runs (a full pipe would block a service's logging, and with it the service).
 */
export function runAsync(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

export function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

export function ensureDependencies() {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    console.log('installing dependencies (npm install)');
    run('npm', ['install', '--no-audit', '--no-fund']);
  }
}

export function buildServices() {
  run('npx', ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'], {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  });
}

/** Starts the five services; their output goes to `log` (a function taking each line). */
export function startServices(env, log) {
  const offset = Number(env.PORT_OFFSET ?? 0);
  return SERVICES.map(({ name, port }) => {
    const child = spawn(
      process.execPath,
      [...serviceNodeFlags(name), join(root, 'dist', 'apps', name, 'main.js')],
      {
        cwd: root,
        env: { ...process.env, ...env, PORT: String(port + offset) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.on('data', (chunk) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) log(name, line);
      });
    }
    return { name, port: port + offset, child };
  });
}

export async function waitUntilReady(services, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (const service of services) {
    for (;;) {
      if (service.child.exitCode !== null)
        throw new Error(`${service.name} exited with ${service.child.exitCode}`);
      try {
        const response = await fetch(`http://127.0.0.1:${service.port}/readyz`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${service.name} not ready after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** SIGTERM, then SIGKILL for anything still running after the grace period. */
export async function stopServices(services, graceMs = 20_000) {
  await Promise.all(
    services.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
