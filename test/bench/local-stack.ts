import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

export interface StackSettings {
  stackDir: string;
  kafkaPort: number;
  postgresPort: number;
  partitions: number;
}

/** What the stack scripts and the services share: addresses, keys, the endpoint policy. */
export function stackEnv(settings: StackSettings, adminApiKeys: string): Record<string, string> {
  return {
    LOCAL_STACK_DIR: settings.stackDir,
    KAFKA_PORT: String(settings.kafkaPort),
    KAFKA_BROKERS: `127.0.0.1:${settings.kafkaPort}`,
    DATABASE_URL: `postgres://webhooks:webhooks@127.0.0.1:${settings.postgresPort}/webhooks`,
    TOPIC_PARTITIONS: String(settings.partitions),
    ADMIN_API_KEYS: adminApiKeys,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ENDPOINT_POLICY: 'allow-private',
    // No bench connection asks for failure emails; the notifier only needs a well-formed address.
    SMTP_URL: 'smtp://127.0.0.1:2525',
    // Logs cost CPU; the services' warnings and errors still reach the log file.
    LOG_LEVEL: 'warn',
  };
}

function stackScript(command: 'up' | 'down', env: Record<string, string>, log: (line: string) => void): void {
  const result = spawnSync(join(root, 'deploy', 'local', 'stack.sh'), [command], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  for (const line of `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')) if (line) log(line);
  if (result.status !== 0)
    throw new Error(`deploy/local/stack.sh ${command} exited with ${result.status ?? result.signal}`);
}

/**
 * Stops or starts one part of the stack (its data stays) with deploy/local/kafka.sh or
 * postgres.sh, without blocking the event loop: the caller watches the services meanwhile.
 */
export function stackPart(
  part: 'kafka' | 'postgres',
  command: 'start' | 'stop',
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<void> {
  const script = `${part}.sh`;
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'deploy', 'local', script), [command], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      for (const line of output.split('\n')) if (line) log(line);
      if (code === 0) resolve();
      else reject(new Error(`deploy/local/${script} ${command} exited with ${code ?? signal}`));
    });
  });
}

/** Stops whatever a previous run of this checkout left, so its ports and data are free. */
export function stopLeftovers(env: Record<string, string>, log: (line: string) => void): void {
  stackScript('down', env, log);
}

/**
 * Removes the broker's and the database's data under the stack directory, so every run starts
 * empty. A cluster postgres.sh keeps in /var/tmp (root, checkout out of reach) is left alone: it
 * may be another checkout's, and stale connections in it do not reach the pipeline (the services
 * read connections from the emptied Kafka feed).
 */
export function wipeStackData(settings: StackSettings): void {
  rmSync(join(settings.stackDir, 'kafka', 'data'), { recursive: true, force: true });
  rmSync(join(settings.stackDir, 'postgres', 'data'), { recursive: true, force: true });
}

/**
 * The ports among `ports` that something already listens on. The stack scripts would quietly
 * use a broker or database found there (another checkout's bench, or an `npm test` slot with
 * the same numbers), so the run refuses to start instead.
 */
export async function portsInUse(ports: number[]): Promise<number[]> {
  const used = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port });
          socket.setTimeout(1_000);
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('timeout', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', () => resolve(false));
        }),
    ),
  );
  return ports.filter((_, index) => used[index]);
}

export function stackUp(env: Record<string, string>, log: (line: string) => void): void {
  stackScript('up', env, log);
}

export function stackDown(env: Record<string, string>, log: (line: string) => void): void {
  stackScript('down', env, log);
}

/** postgres.sh keeps the cluster under the stack directory, or in /var/tmp when root's checkout is out of reach. */
function postgresDataDirs(settings: StackSettings): string[] {
  return [
    join(settings.stackDir, 'postgres', 'data'),
    `/var/tmp/campaign-webhooks/postgres-${settings.postgresPort}/data`,
  ];
}

export function brokerPid(settings: StackSettings): number | undefined {
  return pidFrom(join(settings.stackDir, 'kafka', 'broker.pid'));
}

export function postmasterPid(settings: StackSettings): number | undefined {
  for (const dir of postgresDataDirs(settings)) {
    const pid = pidFrom(join(dir, 'postmaster.pid'));
    if (pid !== undefined) return pid;
  }
  return undefined;
}

function pidFrom(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
