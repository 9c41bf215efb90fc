/**
 * npm run bench:skeleton: the pipeline's Kafka skeleton alone. The generator publishes at a
 * fixed rate, in the same ticks as `npm run bench`, to a chain of four stages in processes of
 * their own, each running its service's consume and produce loop from libs/kafka with the same
 * settings and no work of its own: filter and renderer hand every record on, delivery hands on
 * one outcome per record through its windowed consumer, and the delivery log reads the outcomes.
 * So each record is produced four times and consumed four times, as a webhook is,
 * in batches the size the pipeline's are at that rate, with no HTTP, JSON or PostgreSQL.
 *
 * It reports the CPU per record of every process, the broker's among them, and the time from
 * an event's scheduled send to delivery's taking it: what Kafka and kafkajs alone cost the
 * pipeline, and how late they are, at the pipeline's own cadence. See docs/performance.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { SERVICE_NODE_FLAGS } from '../../scripts/local-env.mjs';
import { GeneratorThread } from './generator-thread';
import { Histogram, inMilliseconds } from './histogram';
import { brokerPid, portsInUse, root, stackPart } from './local-stack';
import { ProcessSampler, type CpuReading } from './process-sampler';
import {
  SKELETON_ROLES,
  SKELETON_TOPICS,
  type SkeletonRole,
  type StageCommand,
  type StageReply,
} from './skeleton-protocol';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,2500,5000' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '30' },
    partitions: { type: 'string', default: '8' },
    'tick-ms': { type: 'string', default: '5' },
    'kafka-port': { type: 'string', default: '19492' },
    env: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench:skeleton -- [options]
  --rates 1000,2500,5000  events/s, one measured phase each, after one warm-up at the first
  --seconds 30            length of each measured phase
  --warmup 30             seconds at the first rate before measuring
  --partitions 8          partitions of every topic
  --tick-ms 5             the generator's tick, as in npm run bench
  --kafka-port 19492      the broker's port (its controller's is the next one)
  --env [stage:]KEY=VALUE a setting for every stage or one (${SKELETON_ROLES.join(', ')}):
                          KAFKA_LINGER_MS, KAFKA_FETCH_MIN_BYTES, KAFKA_FETCH_MAX_WAIT_MS, ...`);
  process.exit(0);
}

const rates = args.rates.split(',').map(Number);
const seconds = Number(args.seconds);
const warmupS = Number(args.warmup);
const partitions = Number(args.partitions);
const tickMs = Number(args['tick-ms']);
const kafkaPort = Number(args['kafka-port']);
const brokers = [`127.0.0.1:${kafkaPort}`];
const stackEnv = { LOCAL_STACK_DIR: join(root, '.local', 'bench-skeleton'), KAFKA_PORT: String(kafkaPort) };
const log = (line: string) => console.log(`[skeleton] ${line}`);

interface Stage {
  role: SkeletonRole;
  child: ChildProcess;
  replies: StageReply[];
  waiters: (() => void)[];
}

function envFor(role: SkeletonRole): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of args.env) {
    const match = /^(?:([a-z-]+):)?([A-Z0-9_]+)=(.*)$/.exec(entry);
    if (!match) throw new Error(`--env ${entry}: expected [stage:]KEY=VALUE`);
    const [, only, key, value] = match;
    if (only && !(SKELETON_ROLES as readonly string[]).includes(only))
      throw new Error(`--env ${entry}: no stage named ${only}`);
    if (!only || only === role) env[key] = value;
  }
  return env;
}

function startStage(role: SkeletonRole): Stage {
  const child = fork(join(__dirname, 'skeleton-stage.ts'), [], {
    cwd: root,
    execArgv: [...SERVICE_NODE_FLAGS, '--require', 'tsx/cjs'],
    env: {
      ...process.env,
      ...envFor(role),
      SKELETON_ROLE: role,
      KAFKA_BROKERS: brokers.join(','),
      SKELETON_TIME_ORIGIN: String(performance.timeOrigin),
    },
    // Histograms cross as typed arrays.
    serialization: 'advanced',
  });
  const stage: Stage = { role, child, replies: [], waiters: [] };
  child.on('message', (reply: StageReply) => {
    stage.replies.push(reply);
    for (const wake of stage.waiters.splice(0)) wake();
  });
  return stage;
}

async function nextReply(stage: Stage, timeoutMs = 120_000): Promise<StageReply> {
  const deadline = Date.now() + timeoutMs;
  while (stage.replies.length === 0) {
    if (stage.child.exitCode !== null)
      throw new Error(`stage ${stage.role} exited with ${stage.child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`stage ${stage.role} did not answer`);
    await new Promise<void>((resolve) => {
      stage.waiters.push(resolve);
      setTimeout(resolve, 500);
    });
  }
  return stage.replies.shift() as StageReply;
}

function tell(stages: Stage[], command: StageCommand): void {
  for (const stage of stages) stage.child.send(command);
}

interface PhaseFigures {
  rate: number;
  published: number;
  perStage: Record<string, number>;
  fetchesPerS: Record<string, number>;
  /** The stage's whole CPU over its fetches: what one turn of its loop costs. */
  cpuUsPerFetch: Record<string, number>;
  cpuUsPerRecord: Record<string, number>;
  cores: Record<string, number>;
  otherCores: number;
  latencyMs: ReturnType<typeof inMilliseconds>;
}

function figures(
  rate: number,
  published: number,
  windows: Map<SkeletonRole, Extract<StageReply, { type: 'window' }>>,
  before: CpuReading,
  after: CpuReading,
): PhaseFigures {
  const wallS = (after.at - before.at) / 1000;
  const taken = windows.get('delivery')?.records ?? 0;
  const cpuUsPerRecord: Record<string, number> = {};
  const cores: Record<string, number> = {};
  let ours = 0;
  for (const name of Object.keys(after.processes)) {
    const us = after.processes[name] - before.processes[name];
    ours += us;
    cpuUsPerRecord[name] = taken > 0 ? us / taken : 0;
    cores[name] = us / 1e6 / wallS;
  }
  cpuUsPerRecord['all'] = taken > 0 ? ours / taken : 0;
  cores['all'] = ours / 1e6 / wallS;
  const perStage: Record<string, number> = {};
  const fetchesPerS: Record<string, number> = {};
  const cpuUsPerFetch: Record<string, number> = {};
  for (const [role, window] of windows) {
    perStage[role] = window.records / wallS;
    fetchesPerS[role] = window.fetches / wallS;
    const us = after.processes[role] - before.processes[role];
    cpuUsPerFetch[role] = window.fetches > 0 ? us / window.fetches : 0;
  }
  const latency = Histogram.from(windows.get('delivery')?.latency ?? new Histogram().snapshot());
  return {
    rate,
    published: published / wallS,
    perStage,
    fetchesPerS,
    cpuUsPerFetch,
    cpuUsPerRecord,
    cores,
    otherCores: Math.max(0, (after.machineBusy - before.machineBusy - ours) / 1e6 / wallS),
    latencyMs: inMilliseconds(latency.summary()),
  };
}

function print(results: PhaseFigures[]): void {
  const names = Object.keys(results[0].cpuUsPerRecord);
  const column = (text: string) => text.padStart(16);
  console.log(
    `\nKafka skeleton: ${partitions} partitions, tick ${tickMs} ms, env ${args.env.join(' ') || 'none'}`,
  );
  console.log(`${'events/s'.padEnd(22)}${results.map((r) => column(String(r.rate))).join('')}`);
  console.log(`${'published/s'.padEnd(22)}${results.map((r) => column(r.published.toFixed(0))).join('')}`);
  console.log(
    `${'consumed/s by delivery'.padEnd(22)}${results.map((r) => column(r.perStage['delivery'].toFixed(0))).join('')}`,
  );
  console.log('CPU µs per record (cores):');
  for (const name of names) {
    const cells = results.map((r) =>
      column(`${r.cpuUsPerRecord[name].toFixed(1)} (${r.cores[name].toFixed(2)})`),
    );
    console.log(`  ${name.padEnd(20)}${cells.join('')}`);
  }
  console.log('fetches/s (CPU µs per fetch):');
  for (const role of SKELETON_ROLES) {
    const cells = results.map((r) =>
      column(`${r.fetchesPerS[role].toFixed(0)} (${r.cpuUsPerFetch[role].toFixed(0)})`),
    );
    console.log(`  ${role.padEnd(20)}${cells.join('')}`);
  }
  console.log(`${'other cores'.padEnd(22)}${results.map((r) => column(r.otherCores.toFixed(2))).join('')}`);
  console.log('scheduled send → delivery takes the record, p50 / p99 / p99.9 ms:');
  console.log(
    `  ${''.padEnd(20)}${results
      .map((r) =>
        column(`${r.latencyMs.p50.toFixed(1)}/${r.latencyMs.p99.toFixed(0)}/${r.latencyMs.p999.toFixed(0)}`),
      )
      .join('')}`,
  );
}

async function main(): Promise<void> {
  const busy = await portsInUse([kafkaPort, kafkaPort + 1]);
  if (busy.length > 0) throw new Error(`ports ${busy.join(', ')} are in use: choose another --kafka-port`);
  rmSync(join(stackEnv.LOCAL_STACK_DIR, 'kafka', 'data'), { recursive: true, force: true });
  await stackPart('kafka', 'start', stackEnv, log);
  const stages: Stage[] = [];
  let generator: GeneratorThread | undefined;
  try {
    const kafka = new Kafka({ brokers, clientId: 'skeleton-setup', logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: Object.values(SKELETON_TOPICS).map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    });
    await admin.disconnect();

    for (const role of SKELETON_ROLES) stages.push(startStage(role));
    for (const stage of stages) {
      const reply = await nextReply(stage);
      if (reply.type !== 'ready') throw new Error(`stage ${stage.role} answered ${reply.type}`);
    }
    const pid = brokerPid({ stackDir: stackEnv.LOCAL_STACK_DIR, kafkaPort, postgresPort: 0, partitions });
    const sampler = new ProcessSampler();
    if (pid) sampler.add({ name: 'broker', pid });
    for (const stage of stages) sampler.add({ name: stage.role, pid: stage.child.pid as number });
    sampler.add({ name: 'generator', pid: process.pid });
    generator = await GeneratorThread.start(
      { brokers, topic: SKELETON_TOPICS.events, projects: 100, tickMs },
      (line) => log(`generator: ${line}`),
    );
    log(`warm-up: ${rates[0]} events/s for ${warmupS} s`);
    await generator.run(0, rates[0], warmupS);

    const results: PhaseFigures[] = [];
    for (const [index, rate] of rates.entries()) {
      log(`phase: ${rate} events/s for ${seconds} s`);
      tell(stages, { type: 'begin' });
      const before = sampler.read();
      const run = await generator.run(index + 1, rate, seconds);
      const after = sampler.read();
      tell(stages, { type: 'end' });
      const windows = new Map<SkeletonRole, Extract<StageReply, { type: 'window' }>>();
      for (const stage of stages) {
        const reply = await nextReply(stage);
        if (reply.type === 'window') windows.set(stage.role, reply);
      }
      results.push(figures(rate, run.published, windows, before, after));
      // Let the chain empty before the next rate.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    print(results);
  } finally {
    await generator?.close();
    for (const stage of stages) stage.child.kill('SIGTERM');
    await Promise.all(
      stages.map(
        (stage) =>
          new Promise((resolve) =>
            stage.child.exitCode !== null ? resolve(undefined) : stage.child.once('exit', resolve),
          ),
      ),
    );
    await stackPart('kafka', 'stop', stackEnv, log);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
