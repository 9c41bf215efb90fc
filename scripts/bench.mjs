// npm run bench: the benchmark harness (test/bench/main.ts) under tsx, with the services' Node.js
// flags: its receiver is one of the processes whose CPU every total counts (docs/performance.md).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { root, SERVICE_NODE_FLAGS } from './local-env.mjs';

const harness = spawn(
  process.execPath,
  [...SERVICE_NODE_FLAGS, '--import', 'tsx', 'test/bench/main.ts', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: 'test/tsconfig.json' } },
);
// Ctrl-C reaches the harness too (one process group), and it stops what it started before exiting.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => harness.kill('SIGTERM'));
// A harness killed by a signal exits as a shell reports it: 128 + the signal's number.
harness.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
