// No Docker engine runs these checks: they read deploy/Dockerfile and run its entrypoint script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SERVICES, root } from './helm.mjs';

const dockerfile = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
const entrypoint = join(root, 'deploy', 'docker-entrypoint.sh');
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');

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

  test('starts the named service, from the argument or SERVICE', () => {
    // A stand-in for node that prints the script and arguments it was given.
    const fakeNode = mkdtempSync(join(tmpdir(), 'fake-node-'));
    writeFileSync(join(fakeNode, 'node'), '#!/bin/sh\nshift\necho "$@"\n');
    chmodSync(join(fakeNode, 'node'), 0o755);
    const path = `${fakeNode}:${process.env.PATH}`;
    for (const service of Object.keys(SERVICES)) {
      assert.equal(run([service], { PATH: path }).stdout.trim(), `/app/dist/apps/${service}/main.js`);
      assert.equal(
        run([], { PATH: path, SERVICE: service }).stdout.trim(),
        `/app/dist/apps/${service}/main.js`,
      );
    }
    assert.equal(run(['setup'], { PATH: path }).stdout.trim(), '/app/dist/apps/admin-api/main.js setup');
    rmSync(fakeNode, { recursive: true });
  });
});
