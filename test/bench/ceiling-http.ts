import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchReceiver } from './bench-receiver';
import { root } from './local-stack';
import type { CpuReading, ProcessSampler } from './process-sampler';

export interface HttpCeiling {
  client: string;
  concurrency: number;
  seconds: number;
  requestsPerS: number;
  errors: number;
  clientCpuUsPerRequest: number;
  receiverCpuUsPerRequest: number;
  /** Cores the machine spent on other work meanwhile: the noise in these figures. */
  otherCores: number;
}

/** Requests/s and CPU per request of one HTTP client alone against the bench receiver. */
export async function measureHttpCeiling(
  client: string,
  receiver: BenchReceiver,
  sampler: ProcessSampler,
  { concurrency, durationS, urlCount }: { concurrency: number; durationS: number; urlCount: number },
): Promise<HttpCeiling> {
  const settings = { client, urls: receiver.ceilingUrls(urlCount), concurrency, durationS };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'http-client-worker.ts'), JSON.stringify(settings)],
    {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'test', 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const { pid, stdout } = child;
  if (pid === undefined || stdout === null) throw new Error('the HTTP client worker did not start');
  const name = `http-client:${client}`;
  sampler.add({ name, pid });
  const killer = setTimeout(() => child.kill('SIGKILL'), (durationS + 60) * 1000);
  try {
    let start: CpuReading | undefined;
    let result: HttpCeiling | undefined;
    for await (const line of createInterface({ input: stdout })) {
      const message = JSON.parse(line) as {
        event: string;
        requests: number;
        errors: number;
        seconds: number;
      };
      if (message.event === 'start') {
        start = sampler.read();
      } else if (message.event === 'end' && start) {
        const [before, end] = [start, sampler.read()];
        const perRequest = (process: string) =>
          (end.processes[process] - before.processes[process]) / message.requests;
        const ourCpu =
          end.processes[name] -
          start.processes[name] +
          (end.processes['harness'] - start.processes['harness']);
        result = {
          client,
          concurrency,
          seconds: message.seconds,
          requestsPerS: message.requests / message.seconds,
          errors: message.errors,
          clientCpuUsPerRequest: perRequest(name),
          receiverCpuUsPerRequest: perRequest('harness'),
          otherCores: (end.machineBusy - start.machineBusy - ourCpu) / ((end.at - start.at) * 1000),
        };
      }
    }
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
    );
    if (!result) throw new Error(`the HTTP client worker (${client}) exited with ${code} before reporting`);
    return result;
  } finally {
    clearTimeout(killer);
    sampler.remove(name);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
