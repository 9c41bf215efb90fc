/**
 * npm run bench: the whole pipeline under an open-loop load on a stack of its own, with raw
 * ceilings of its parts, a fault phase and a ledger of every webhook. `--short` is the CI form:
 * about a minute of load, and it fails only on the ledger (a webhook missing, misrouted or
 * unexpected, an event unpublished; short-run.ts), never on speed. See docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { BenchReceiver } from './bench-receiver';
import { Cleanup } from './cleanup';
import { measureHttpCeiling } from './ceiling-http';
import { measureKafkaCeiling } from './ceiling-kafka';
import { timelineSvg } from './chart-svg';
import { createConnections, waitForConnectionCaches } from './connection-setup';
import { GeneratorThread } from './generator-thread';
import { measureHopLatency } from './hop-latency';
import { LagMonitor } from './lag-monitor';
import { buildLedger } from './ledger';
import {
  brokerPid,
  portsInUse,
  postmasterPid,
  root,
  stackDown,
  stackEnv,
  stackUp,
  stopLeftovers,
  wipeStackData,
  type StackSettings,
} from './local-stack';
import { MAX_CHECKED_IDS } from './delivered-set';
import { mostWebhooks, parseOptions, type BenchOptions } from './options';
import { PhaseRunner } from './phase-runner';
import { ProcessSampler } from './process-sampler';
import { brokerOverrides, summarise, summaryText, type BenchReport } from './report';
import { shortRunFailures } from './short-run';
import {
  buildServices,
  SERVICES,
  startServices,
  stopServices,
  waitUntilReady,
  type RunningService,
  type ServiceName,
} from './service-processes';
import { TimelineMonitor } from './timeline-monitor';
import { V8Profiles } from './v8-profiles';
import { adminApiKeysSetting, buildTopology, type Topology } from './topology';

const MESSAGE_EVENTS_TOPIC = 'campaign.message-events';

const benchStart = performance.now();
function log(line: string): void {
  console.log(`[bench ${((performance.now() - benchStart) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

function serviceEnv(options: BenchOptions): (service: ServiceName) => Record<string, string> {
  return (service) =>
    Object.fromEntries(
      options.env
        .filter((entry) => !entry.service || entry.service === service)
        .map(({ key, value }) => [key, value]),
    );
}

function writeResults(report: BenchReport, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, report.startedAt.replace(/[:.]/g, '-'));
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 1));
  writeFileSync(`${base}.txt`, summaryText(report) + '\n');
  writeFileSync(`${base}.svg`, timelineSvg(report.timeline));
  const hasMatplotlib = spawnSync('python3', ['-c', 'import matplotlib'], { stdio: 'ignore' }).status === 0;
  if (hasMatplotlib) {
    const drawn = spawnSync('python3', [join(__dirname, 'chart.py'), `${base}.json`, `${base}.png`], {
      stdio: 'inherit',
      timeout: 120_000,
    });
    if (drawn.status !== 0) log('the PNG chart could not be drawn; the SVG is there');
  }
  return base;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const topology: Topology = buildTopology(
    options.connections,
    options.fanout,
    options.fault ? options.faultPercent : 0,
    options.faultKinds,
  );
  const settings: StackSettings = {
    stackDir: join(root, '.local', 'bench'),
    kafkaPort: options.kafkaPort,
    postgresPort: options.postgresPort,
    partitions: options.partitions,
  };
  const env = stackEnv(settings, adminApiKeysSetting(topology));
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    options,
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverageAtStart: loadavg(),
      loadAverageAtEnd: [],
    },
    brokerOverrides: brokerOverrides(process.env),
    ceilings: { http: [] },
    phases: [],
    timeline: [],
  };
  const cleanup = new Cleanup();
  const profiles = new V8Profiles(options.prof, join(settings.stackDir, 'profiles'));
  const interrupted = async (signal: string) => {
    log(`${signal}: stopping everything`);
    await cleanup.run();
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted('SIGINT'));
  process.once('SIGTERM', () => void interrupted('SIGTERM'));

  let runner: PhaseRunner | undefined;
  let monitor: TimelineMonitor | undefined;
  try {
    if (options.build) buildServices(log);
    mkdirSync(settings.stackDir, { recursive: true });
    const logFile = join(settings.stackDir, 'services.log');
    const serviceLog = createWriteStream(logFile);
    cleanup.add('close the service log', () => new Promise<void>((done) => serviceLog.end(done)));
    log(
      `starting a fresh stack: Kafka on ${settings.kafkaPort}, PostgreSQL on ${settings.postgresPort} (${settings.stackDir})`,
    );
    const stackLog = (line: string) => log(`  ${line}`);
    stopLeftovers(env, stackLog);
    const taken = await portsInUse([
      settings.kafkaPort,
      settings.kafkaPort + 1,
      settings.postgresPort,
      ...SERVICES.map(({ port }) => port + options.portOffset),
    ]);
    if (taken.length > 0) {
      throw new Error(
        `something already listens on 127.0.0.1 port ${taken.join(', ')}; ` +
          'choose free ports with --kafka-port, --postgres-port and --port-offset',
      );
    }
    wipeStackData(settings);
    cleanup.add('stop the stack', () => stackDown(env, stackLog));
    stackUp(env, stackLog);

    // The webhook-id cross-check keeps every id in a Map: past a few hundred thousand, its growth
    // stalls the receiver's event loop for tens of milliseconds, which reads as latency. A run
    // that may go past the bound checks no ids at all rather than stalling and then giving up.
    const receiver = new BenchReceiver(
      topology,
      mostWebhooks(options) <= MAX_CHECKED_IDS ? MAX_CHECKED_IDS : 0,
    );
    await receiver.start(options.receiverPorts);
    cleanup.add('close the receiver', () => receiver.close());
    log(`receiver on 127.0.0.1 ports ${receiver.ports.join(', ')}`);

    const services: RunningService[] = startServices(
      env,
      serviceEnv(options),
      options.portOffset,
      serviceLog,
      (service) => [
        ...profiles.flagsFor(service),
        ...options.nodeFlags
          .filter((entry) => !entry.service || entry.service === service)
          .map(({ flag }) => flag),
      ],
    );
    cleanup.add('stop the services', async () => {
      report.serviceStops = await stopServices(services);
      for (const stop of report.serviceStops) {
        if (stop.killed || stop.seconds > 5) {
          log(
            `  ${stop.name} took ${stop.seconds.toFixed(1)} s to stop${stop.killed ? ' and was killed' : ''}`,
          );
        }
      }
    });
    log(
      `services started (pids ${services.map((s) => `${s.name} ${s.pid}`).join(', ')}); logs in ${logFile}`,
    );
    await waitUntilReady(services);

    const sampler = new ProcessSampler();
    const broker = brokerPid(settings);
    const postgres = postmasterPid(settings);
    if (broker) sampler.add({ name: 'broker', pid: broker });
    if (postgres) sampler.add({ name: 'postgres', pid: postgres, withChildren: true });
    for (const service of services) sampler.add({ name: service.name, pid: service.pid });
    sampler.add({ name: 'harness', pid: process.pid });

    log(
      `creating ${topology.connections} connections in ${topology.projects} projects through the admin API`,
    );
    const adminApi = services.find((service) => service.name === 'admin-api');
    if (!adminApi) throw new Error('admin-api is not among the services');
    const connectionIds = await createConnections(adminApi, topology, (connection) =>
      receiver.urlOf(connection),
    );
    await waitForConnectionCaches(services, topology.connections);

    const kafka = new Kafka({
      brokers: [env['KAFKA_BROKERS']],
      clientId: 'bench',
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => serviceLog.write(`[harness kafkajs] ${JSON.stringify(entry.log)}\n`),
    });
    const admin: Admin = kafka.admin();
    await admin.connect();
    cleanup.add('disconnect the admin client', () => admin.disconnect());

    if (options.ceilings) {
      for (const client of options.clients) {
        log(
          `ceiling: HTTP client ${client} alone, ${options.ceilingConcurrency} in flight, ${options.ceilingS} s`,
        );
        report.ceilings.http.push(
          await measureHttpCeiling(client, receiver, sampler, {
            concurrency: options.ceilingConcurrency,
            durationS: options.ceilingS,
            urlCount: topology.connections,
          }),
        );
      }
      log(`ceiling: kafkajs produce then consume alone, ${options.ceilingS} s`);
      report.ceilings.kafka = await measureKafkaCeiling(kafka, sampler, {
        partitions: options.partitions,
        durationS: options.ceilingS,
        batchSize: options.kafkaBatch,
      });
    }

    const generator = await GeneratorThread.start(
      {
        brokers: [env['KAFKA_BROKERS']],
        topic: MESSAGE_EVENTS_TOPIC,
        projects: topology.projects,
        tickMs: options.tickMs,
      },
      (line) => serviceLog.write(`[harness generator kafkajs] ${line}\n`),
    );
    cleanup.add('stop the generator thread', () => generator.close());
    // The generator stands for the campaign platform's producers, not for the pipeline.
    sampler.add({ name: 'harness', pid: process.pid, withoutThreads: [generator.tid] });
    sampler.add({ name: 'generator', pid: process.pid, tid: generator.tid });
    monitor = new TimelineMonitor(receiver, generator, new LagMonitor(admin), sampler, services);
    monitor.start();
    cleanup.add('stop the monitor', () => monitor?.stop());
    runner = new PhaseRunner({
      topology,
      receiver,
      generator,
      monitor,
      sampler,
      maxLagS: options.maxLagS,
      log,
    });

    if (options.warmupS > 0) {
      const faultS = options.fault ? Math.min(options.warmupFaultS, options.warmupS) : 0;
      const faultsOn =
        faultS > 0
          ? setTimeout(() => (receiver.faultsActive = true), (options.warmupS - faultS) * 1000)
          : undefined;
      await runner.ratePhase('warmup', options.warmupRate, options.warmupS, { cutOnLag: false });
      clearTimeout(faultsOn);
      receiver.faultsActive = false;
      // Every webhook, the fault cohorts' too: their retries must not reach the measured phases.
      await runner.drain(options.drainMaxS);
    }
    for (const rate of options.rates) {
      await runner.ratePhase('steady', rate, options.steadyS);
      await runner.drain(options.drainMaxS);
    }
    if (options.ramp) await ramp(runner, options);
    if (options.fault) {
      if (options.faultLeadInS > 0) {
        await runner.ratePhase('lead-in', options.faultRate, options.faultLeadInS, { cutOnLag: false });
      }
      receiver.faultsActive = true;
      await runner.ratePhase('fault', options.faultRate, options.faultS, { cutOnLag: false });
      // The endpoints recover: retries that come due from now on can be delivered.
      receiver.faultsActive = false;
      await runner.drain(options.drainMaxS, { healthyOnly: true });
    }
    monitor.stop();
    runner.finishLatency();
    log('reading webhooks.retries, webhooks.outcomes and webhooks.dead-letter for the ledger');
    report.ledger = await buildLedger(
      kafka,
      topology,
      connectionIds,
      receiver,
      generator.sequenced,
      generator.unpublished,
    );
    log('reading the input, matched and deliveries topics for the latency of each hop');
    // A diagnostic: the run's figures stand without it.
    await measureHopLatency(kafka).then(
      (hops) => runner?.results.forEach((result) => (result.hopLatencyMs = hops.get(result.index))),
      (error: unknown) => log(`latency by hop not measured: ${(error as Error).message}`),
    );
  } catch (error) {
    report.error = (error as Error).stack ?? String(error);
    log(`error: ${report.error}`);
  } finally {
    log('stopping the services, the receiver and the stack');
    await cleanup.run();
  }

  runner?.finishLatency();
  report.phases = runner?.results ?? [];
  report.timeline = monitor?.points ?? [];
  report.finishedAt = new Date().toISOString();
  report.machine.loadAverageAtEnd = loadavg();
  Object.assign(report, summarise(report));
  const base = writeResults(report, resolve(root, options.outDir));
  if (options.prof.length) {
    log('turning the V8 tick logs into reports (node --prof-process)');
    for (const file of profiles.process(base)) log(`  ${file}`);
  }
  console.log(
    `\n${summaryText(report)}\n\nresults: ${base}.{json,txt,svg${existsSync(`${base}.png`) ? ',png' : ''}}`,
  );

  if (report.error) return 1;
  if (options.short) {
    const failures = shortRunFailures(report.ledger, report.phases);
    for (const why of failures) console.error(`short run FAILED: ${why}`);
    if (failures.length > 0) return 1;
    console.log('short run passed: every event published, no webhook missing, misrouted or unexpected');
  }
  return 0;
}

/** Raises the rate step by step until the lag stops being bounded. */
async function ramp(runner: PhaseRunner, options: BenchOptions): Promise<void> {
  const heldSteady = runner.results.filter((r) => r.kind === 'steady' && r.held).map((r) => r.targetRate);
  let rate =
    options.rampFrom > 0
      ? options.rampFrom
      : heldSteady.length
        ? Math.max(...heldSteady) + options.rampStep
        : options.rampStep;
  for (let step = 0; step < options.rampMaxSteps; step++) {
    const result = await runner.ratePhase('ramp', rate, options.rampStepS);
    if (!result.held) break;
    rate += options.rampStep;
  }
  await runner.drain(options.drainMaxS);
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
