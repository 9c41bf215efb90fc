// Runs the chart through helm and parses what it renders. helm comes from
// deploy/tools/ensure-helm.sh, which builds it once into a cache directory.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const chart = join(root, 'helm', 'campaign-webhooks');
export const valuesFile = (name) => join(root, 'test', 'helm', 'values', name);

export const SERVICES = {
  'admin-api': 3000,
  'subscription-filter': 3001,
  renderer: 3002,
  delivery: 3003,
  notifier: 3004,
};

/** The path of a tool deploy/tools/ensure-<name>.sh builds once into a cache directory. */
export function ensureTool(name) {
  const script = join(root, 'deploy', 'tools', `ensure-${name}.sh`);
  const result = spawnSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`deploy/tools/ensure-${name}.sh exited with ${result.status}`);
  return result.stdout.trim().split('\n').pop();
}

let helmPath;

function helmBinary() {
  helmPath ??= ensureTool('helm');
  return helmPath;
}

/** Runs helm; resolves to { status, stdout, stderr } without throwing. */
export function runHelm(args) {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function helm(args) {
  const result = runHelm(args);
  if (result.status !== 0) {
    throw new Error(`helm ${args.join(' ')} exited with ${result.status}\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** `helm template` with the given extra arguments, as a list of objects. */
export function render(args = []) {
  const text = helm(['template', 'release', chart, '--namespace', 'webhooks', ...args]);
  return loadAll(text).filter((object) => object && typeof object === 'object');
}

export const ofKind = (objects, kind) => objects.filter((object) => object.kind === kind);

export const componentOf = (object) => object.metadata.labels?.['app.kubernetes.io/component'];

export function byComponent(objects, kind) {
  return Object.fromEntries(ofKind(objects, kind).map((object) => [componentOf(object), object]));
}

/**
 * Parses each service's settings from the given environments as the service does at start:
 * { service: null } when it would start, { service: "<the line it would stop with>" } otherwise.
 */
export function serviceConfigProblems(environments) {
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'tsx'),
    ['--tsconfig', join(root, 'tsconfig.base.json'), join(root, 'test', 'helm', 'parse-service-config.ts')],
    { cwd: root, input: JSON.stringify(environments), encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(`parse-service-config.ts exited with ${result.status}\n${result.stderr}`);
  return JSON.parse(result.stdout);
}
