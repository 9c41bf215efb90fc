// No Docker engine runs these checks: they read deploy/Dockerfile and run its entrypoint script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { load } from 'js-yaml';
import { SERVICE_NODE_OPTIONS, SERVICE_OWN_FLAGS, SERVICE_V8_FLAGS } from '../../scripts/local-env.mjs';
import { SERVICES, chart, root } from './helm.mjs';

const dockerfile = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
const entrypoint = join(root, 'deploy', 'docker-entrypoint.sh');
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
const nodeOptions = dockerfile.match(/^ENV NODE_OPTIONS="([^"]*)"$/m)?.[1];

describe('deploy/Dockerfile', () => {
  test('builds the apps on Node 24 and runs them as a non-root user with production dependencies', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    assert.match(dockerfile, /npx nx run-many -t build --projects=tag:type:app/);
    assert.match(dockerfile, /npm install --omit=dev/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(runtime, /^USER 1000:1000$/m);
    assert.match(
      runtime,
      /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/usr\/local\/bin\/campaign-webhooks"\]$/m,
    );
    assert.doesNotMatch(runtime, /npm install(?! --omit=dev)/);
  });

  test('patches the dependencies it installs, for the build and for production', () => {
    const stages = dockerfile.split(/\nFROM /);
    for (const stage of stages.filter((text) => /npm install/.test(text))) {
      assert.match(stage, /^COPY scripts\/patch-dependencies\.mjs scripts\/$/m);
    }
    const production = stages.find((text) => /npm install --omit=dev --ignore-scripts/.test(text));
    assert.match(production, /node scripts\/patch-dependencies\.mjs/);
  });

  test('runs the services with the Node.js flags of npm start and the benchmark', () => {
    assert.equal(nodeOptions, SERVICE_NODE_OPTIONS.join(' '));
  });

  test('the build context keeps node_modules and build output out, and the entrypoint in', () => {
    for (const pattern of [
      '**/node_modules',
      'dist',
      '.nx',
      '.local',
      'deploy/*',
      '!deploy/docker-entrypoint.sh',
      'scripts/*',
      '!scripts/patch-dependencies.mjs',
    ]) {
      assert.ok(dockerignore.includes(pattern), pattern);
    }
  });
});

describe('deploy/docker-entrypoint.sh', () => {
  const run = (args, env = {}) =>
    spawnSync('sh', [entrypoint, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });

  test('refuses an unknown or missing service with one line naming the choices', () => {
    for (const [args, env] of [[[]], [['worker']], [[], { SERVICE: 'worker' }]]) {
      const result = run(args, env);
      assert.equal(result.status, 64);
      assert.match(result.stderr, /admin-api, subscription-filter, renderer, delivery, notifier, or setup/);
    }
  });

  test('starts the named service with the flags of npm start, from the argument or SERVICE', () => {
    // A stand-in for node that prints the script and arguments it was given.
    const fakeNode = mkdtempSync(join(tmpdir(), 'fake-node-'));
    writeFileSync(join(fakeNode, 'node'), '#!/bin/sh\nshift\necho "$@"\n');
    chmodSync(join(fakeNode, 'node'), 0o755);
    const path = `${fakeNode}:${process.env.PATH}`;
    for (const service of Object.keys(SERVICES)) {
      const flags = [...SERVICE_V8_FLAGS, ...(SERVICE_OWN_FLAGS[service] ?? [])].join(' ');
      assert.equal(
        run([service], { PATH: path }).stdout.trim(),
        `${flags} /app/dist/apps/${service}/main.js`,
      );
      assert.equal(
        run([], { PATH: path, SERVICE: service }).stdout.trim(),
        `${flags} /app/dist/apps/${service}/main.js`,
      );
    }
    assert.equal(
      run(['setup'], { PATH: path }).stdout.trim(),
      `${SERVICE_V8_FLAGS.join(' ')} /app/dist/apps/admin-api/main.js setup`,
    );
    rmSync(fakeNode, { recursive: true });
  });
});

describe("the image's Node.js flags under the chart's memory limits", () => {
  // Node sizes its heap from a container's memory limit, and with a small heap V8 runs a full
  // collection whenever the old generation grows by a third. The image's flags keep the growth
  // of a large machine, so a service costs what the benchmark measures.
  const values = load(readFileSync(join(chart, 'values.yaml'), 'utf8'));
  const limits = new Set(Object.keys(SERVICES).map((name) => values.services[name].resources.limits.memory));
  const cgroup = memoryCgroup();
  after(() => cgroup && rmdirSync(cgroup.dir));

  for (const limit of limits) {
    test(
      `within ${limit}, a service may grow its old generation to 2 GiB`,
      { skip: cgroup ? false : 'no memory cgroup can be made here' },
      () => {
        writeFileSync(join(cgroup.dir, cgroup.limitFile), String(bytes(limit)));
        const heapLimitMiB = (options) => {
          const result = spawnSync(
            'sh',
            [
              '-c',
              `echo $$ > ${cgroup.dir}/cgroup.procs && exec node -e ` +
                `"console.log(require('v8').getHeapStatistics().heap_size_limit / 2 ** 20)"`,
            ],
            { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: options } },
          );
          assert.equal(result.status, 0, result.stderr);
          return Number(result.stdout);
        };
        assert.ok(
          heapLimitMiB('--max-semi-space-size=32') < 1024,
          'the limit sizes a heap without the flags',
        );
        assert.ok(heapLimitMiB(nodeOptions) >= 2048);
      },
    );
  }
});

/** A memory cgroup of its own to run processes in, where this user may make one (Linux). */
function memoryCgroup() {
  for (const [base, limitFile] of [
    ['/sys/fs/cgroup/memory', 'memory.limit_in_bytes'],
    ['/sys/fs/cgroup', 'memory.max'],
  ]) {
    const dir = join(base, `campaign-webhooks-test-${process.pid}`);
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    if (existsSync(join(dir, limitFile))) return { dir, limitFile };
    rmdirSync(dir);
  }
  return undefined;
}

function bytes(quantity) {
  const [, amount, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity);
  return Number(amount) * 2 ** (unit === 'Gi' ? 30 : 20);
}
