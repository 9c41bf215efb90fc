import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminApiUrl, apiKeys } from '../support/admin-api';

const fuzzDir = join(__dirname, '..', 'api-fuzz');

/** deploy/local/ensure-test-peers.sh installs schemathesis here when it is not on the PATH. */
function schemathesisCommand(): string {
  const cache = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  const installed = join(cache, 'campaign-webhooks', 'schemathesis', 'bin', 'schemathesis');
  return process.env['SCHEMATHESIS'] ?? (existsSync(installed) ? installed : 'schemathesis');
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

function junitTotals(xml: string) {
  const count = (attribute: string) =>
    [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${attribute}="(\\d+)"`, 'g'))].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  return { tests: count('tests'), failures: count('failures'), errors: count('errors') };
}

describe('the admin API under schema-driven fuzzing (schemathesis)', () => {
  it('answers every generated request without a 5xx, and every 4xx names the problem', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'admin-fuzz-'));
    try {
      const { code, output } = await run(
        schemathesisCommand(),
        [
          '--config-file',
          join(fuzzDir, 'schemathesis.toml'),
          'run',
          `${adminApiUrl}/docs-json`,
          '--report',
          'junit',
          '--report-dir',
          reports,
          '--no-color',
        ],
        {
          ...process.env,
          PYTHONPATH: fuzzDir,
          FUZZ_API_KEY: apiKeys['fuzz'],
        },
      );
      const junit = readdirSync(reports).find((name) => name.endsWith('.xml'));
      if (code !== 0 || !junit)
        throw new Error(`schemathesis exited with ${code}:\n${output.slice(-20_000)}`);
      const totals = junitTotals(readFileSync(join(reports, junit), 'utf8'));
      // One test case per operation (15), and one for the stateful phase.
      expect(totals).toEqual({ tests: 16, failures: 0, errors: 0 });
      const generated = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
      expect(generated).toBeGreaterThan(500);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  }, 600_000);
});
