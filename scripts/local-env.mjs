// Settings for running the product on this machine: the local stack's addresses and a
// development key ring. Anything already in the environment wins.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Node.js flags every service runs with, as the container image runs them (deploy/Dockerfile's
 * NODE_OPTIONS): a 32 MiB young generation, and room for a 2 GiB old generation. Without the
 * second, Node sizes the heap from a container's memory limit, and under the chart's limits V8
 * runs a full collection whenever the old generation grows by a third: about twice a second at
 * 1,500 webhooks/s. From 2 GiB up, V8 grows the heap as on a large machine; the container's
 * limit stays the ceiling (docs/performance.md).
 */
export const SERVICE_NODE_OPTIONS = ['--max-semi-space-size=32', '--max-old-space-size=2048'];

/**
 * V8 flags NODE_OPTIONS refuses, so the image's entrypoint gives them on the command line
 * (deploy/docker-entrypoint.sh):
 * - V8 starts marking the old generation once it is 80 % of the way to its limit, and at once
 *   from 95 %. By default it started whenever the room left was small beside the young
 *   generation, which with 32 MiB semi-spaces and the services' 25-40 MiB of live data was
 *   always: a full collection every 0.2-0.4 s under load.
 * - The old generation grows to twice its live data between full collections. With room for
 *   2 GiB, V8 let it reach three or four times, and delivery, admin-api and the renderer each
 *   passed 256 MiB in a ten-minute run at 5,000 webhooks/s. Behind a backlog delivery drains
 *   6-9 % slower for it.
 * (docs/performance.md)
 */
export const SERVICE_V8_FLAGS = [
  '--incremental-marking-soft-trigger=80',
  '--incremental-marking-hard-trigger=95',
  '--heap-growing-percent=100',
];

/** The benchmark's harness runs with them too (scripts/bench.mjs). */
export const SERVICE_NODE_FLAGS = [...SERVICE_NODE_OPTIONS, ...SERVICE_V8_FLAGS];

/**
 * Flags of one service on top of those (the image's entrypoint gives them too). Delivery and
 * admin-api keep a 16 MiB young generation: with 32 MiB their resident memory passed 256 MiB at
 * 5,000 webhooks/s in some runs (delivery in four of seven, admin-api in two of twelve), and
 * 16 MiB took 40-65 MiB off it for a few µs of CPU per webhook (docs/performance.md).
 */
export const SERVICE_OWN_FLAGS = {
  'admin-api': ['--max-semi-space-size=16'],
  delivery: ['--max-semi-space-size=16'],
};

/** Every Node.js flag `name` runs with, in order: later flags win. */
export function serviceNodeFlags(name) {
  return [...SERVICE_NODE_FLAGS, ...(SERVICE_OWN_FLAGS[name] ?? [])];
}

export const SERVICES = [
  { name: 'admin-api', port: 3000 },
  { name: 'subscription-filter', port: 3001 },
  { name: 'renderer', port: 3002 },
  { name: 'delivery', port: 3003 },
  { name: 'notifier', port: 3004 },
];

/** A secrets key kept beside the local stack, so what it encrypted stays readable across restarts. */
function localSecretsKey(stackDir) {
  const file = join(stackDir, 'secrets-key');
  if (!existsSync(file)) {
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

export function localEnv({
  stackDir = join(root, '.local'),
  kafkaPort = 9092,
  postgresPort = 5433,
  portOffset = 0,
} = {}) {
  const env = {
    LOCAL_STACK_DIR: stackDir,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    DATABASE_URL: `postgres://webhooks:webhooks@127.0.0.1:${postgresPort}/webhooks`,
    ADMIN_API_KEYS: 'demo:demo-api-key-change-me',
    SECRETS_KEY: localSecretsKey(stackDir),
    // Local receivers listen on loopback over plain HTTP; production keeps the default public-https.
    ENDPOINT_POLICY: 'allow-private',
    // npm start runs a mail catcher here (scripts/mail-catcher.mjs) unless SMTP_URL is set.
    SMTP_URL: 'smtp://127.0.0.1:2525',
    PORT_OFFSET: String(portOffset),
  };
  return { ...env, ...pick(process.env, Object.keys(env)) };
}

function pick(source, keys) {
  return Object.fromEntries(keys.filter((key) => source[key]).map((key) => [key, source[key]]));
}
