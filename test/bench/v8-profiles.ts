import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from './service-processes';

/**
 * V8's sampling profiler for chosen services (`--prof`): the tick log is written as the
 * service runs, so it survives the way NestJS exits on SIGTERM (it re-raises the signal, which
 * skips `--cpu-prof`'s write at exit). After the run each log is turned into a text report with
 * `node --prof-process`.
 */
export class V8Profiles {
  constructor(
    private readonly services: string[],
    private readonly dir: string,
  ) {}

  flagsFor(service: ServiceName): string[] {
    if (!this.services.includes(service)) return [];
    mkdirSync(this.dir, { recursive: true });
    return ['--prof', '--no-logfile-per-isolate', `--logfile=${this.logOf(service)}`];
  }

  /** Writes `<base>.<service>.prof.txt` for each profiled service; returns the files written. */
  process(base: string): string[] {
    const written: string[] = [];
    for (const service of this.services) {
      const log = this.logOf(service);
      if (!existsSync(log)) continue;
      const result = spawnSync(process.execPath, ['--prof-process', log], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: 300_000,
      });
      const file = `${base}.${service}.prof.txt`;
      writeFileSync(file, result.stdout ?? '');
      written.push(file);
    }
    return written;
  }

  private logOf(service: string): string {
    return join(this.dir, `${service}.v8.log`);
  }
}
