import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function startWith(service: string, env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(
    Object.entries({ ...process.env, ...env }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  return spawnSync(process.execPath, [join(root, 'dist', 'apps', service, 'main.js')], {
    env: { ...clean, PORT: '0' },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('a service with a bad setting', () => {
  it('refuses a malformed KAFKA_BROKERS with one line naming it', () => {
    const result = startWith('delivery', { KAFKA_BROKERS: 'not a broker list' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'delivery: invalid configuration: KAFKA_BROKERS expected a comma-separated list of host:port, ' +
        'each port from 1 to 65535 (got "not a broker list")',
    ]);
  });

  it('refuses a missing DATABASE_URL with one line naming it', () => {
    const result = startWith('admin-api', { DATABASE_URL: undefined });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^admin-api: invalid configuration: DATABASE_URL is required/);
  });
});
