/**
 * npm run test:faults: faults injected into the whole pipeline under an open-loop load, on a
 * stack of its own, one scenario after another; after each, the ledger of every webhook. Exits
 * 1 when any check fails. See docs/reliability.md.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { BenchReceiver } from '../bench/bench-receiver';
import { Cleanup } from '../bench/cleanup';
import { createConnections, waitForConnectionCaches } from '../bench/connection-setup';
import { buildLedger } from '../bench/ledger';
import {
  portsInUse,
  root,
  stackDown,
  stackEnv,
  stackUp,
  stopLeftovers,
  wipeStackData,
  type StackSettings,
} from '../bench/local-stack';
import { OpenLoopGenerator } from '../bench/open-loop-generator';
import { RenewingProducer } from './renewing-producer';
import { buildServices, SERVICES, waitUntilReady } from '../bench/service-processes';
import { adminApiKeysSetting, buildTopology, type Topology } from '../bench/topology';
import { PhaseCounter } from './load-stream';
import { parseOptions, type FaultOptions } from './options';
import { reportText, scenarioPassed, type FaultReport } from './report';
import { check, type FaultContext, type Scenario, type ScenarioResult } from './scenario';
import { ScenarioLedger } from './scenario-ledger';
import { brokerOutage } from './scenarios/broker-outage';
import { flappingEndpoint } from './scenarios/flapping-endpoint';
import { gracefulStop } from './scenarios/graceful-stop';
import { killRestart } from './scenarios/kill-restart';
import { postgresOutage } from './scenarios/postgres-outage';
import { rebalance, REPLICA_PORT } from './scenarios/rebalance';
import { soak } from './scenarios/soak';
import { ServiceSet } from './service-set';

const SCENARIOS: Scenario[] = [
  killRestart,
  brokerOutage,
  postgresOutage,
  flappingEndpoint,
  gracefulStop,
  rebalance,
  soak,
];

/** Short retries and breaker resets, so every scenario ends within minutes. */
const SERVICE_SETTINGS = { RETRY_SCHEDULE: '1s,2s,4s,8s', BREAKER_RESET_MS: '3000' };
/** The whole run is stopped, and fails, past this (plus the soak's minutes when it runs). */
const SUITE_LIMIT_MS = 30 * 60_000;
const MESSAGE_EVENTS_TOPIC = 'campaign.message-events';

const suiteStart = performance.now();
function log(line: string): void {
  console.log(`[faults ${((performance.now() - suiteStart) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const topology = buildTopology(options.connections, 1, 0);
  const flappingConnection = markFlapping(topology);
  const settings: StackSettings = {
    stackDir: join(root, '.local', 'faults'),
    kafkaPort: options.kafkaPort,
    postgresPort: options.postgresPort,
    partitions: options.partitions,
  };
  const env: Record<string, string> = {
    ...stackEnv(settings, adminApiKeysSetting(topology)),
    ...SERVICE_SETTINGS,
  };
  const report: FaultReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    wallSeconds: 0,
    options,
    serviceEnv: Object.fromEntries(
      Object.entries(env).filter(([key]) => !['SECRETS_KEY', 'ADMIN_API_KEYS'].includes(key)),
    ),
    scenarios: [],
    unexpectedExits: [],
    serviceStops: [],
    checks: [],
    passed: false,
  };
  const cleanup = new Cleanup();
  const stopEverything = async (why: string) => {
    log(`${why}: stopping everything`);
    await cleanup.run();
    process.exit(why === 'SIGINT' ? 130 : 1);
  };
  process.once('SIGINT', () => void stopEverything('SIGINT'));
  process.once('SIGTERM', () => void stopEverything('SIGTERM'));
  const limitMs = SUITE_LIMIT_MS + (options.only.includes('soak') ? options.soakMinutes * 60_000 : 0);
  const watchdog = setTimeout(
    () => void stopEverything(`still running after ${limitMs / 60_000} min`),
    limitMs,
  );

  let services: ServiceSet | undefined;
  try {
    if (options.build) buildServices(log);
    mkdirSync(settings.stackDir, { recursive: true });
    const logFile = join(settings.stackDir, 'services.log');
    const serviceLog = createWriteStream(logFile);
    cleanup.add('close the service log', () => new Promise<void>((done) => serviceLog.end(done)));
    const stackLog = (line: string) => log(`  ${line}`);
    log(`starting a fresh stack: Kafka on ${settings.kafkaPort}, PostgreSQL on ${settings.postgresPort}`);
    stopLeftovers(env, stackLog);
    await refuseTakenPorts(settings, options);
    wipeStackData(settings);
    cleanup.add('stop the stack', () => stackDown(env, stackLog));
    stackUp(env, stackLog);

    const receiver = new BenchReceiver(topology, 5_000_000);
    await receiver.start(options.receiverPorts);
    cleanup.add('close the receiver', () => receiver.close());

    const running = new ServiceSet(() => env, options.portOffset, serviceLog);
    services = running;
    cleanup.add('stop the services', async () => {
      report.serviceStops = await running.stopAll();
    });
    running.startAll();
    log(`services started; logs in ${logFile}`);
    await waitUntilReady(running.all());

    log(`creating ${topology.connections} connections, one per project (fan-out 1)`);
    const connectionIds = await createConnections(running.get('admin-api'), topology, (connection) =>
      receiver.urlOf(connection),
    );
    await waitForConnectionCaches(running.all(), topology.connections);

    process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
    const kafka = new Kafka({
      brokers: [env['KAFKA_BROKERS']],
      clientId: 'fault-suite',
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => serviceLog.write(`[harness kafkajs] ${JSON.stringify(entry.log)}\n`),
    });
    const producer = new RenewingProducer(kafka);
    await producer.connect();
    cleanup.add('disconnect the producer', () => producer.disconnect());
    const admin = kafka.admin();
    await admin.connect();
    cleanup.add('disconnect the admin client', () => admin.disconnect());
    const generator = new OpenLoopGenerator(producer, MESSAGE_EVENTS_TOPIC, topology.projects, 5);

    const context: FaultContext = {
      options,
      stackEnv: env,
      services: running,
      receiver,
      topology,
      generator,
      phases: new PhaseCounter(),
      ledger: new ScenarioLedger(topology, receiver, generator),
      kafka,
      admin,
      flappingConnection,
      log,
    };
    for (const scenario of SCENARIOS.filter(({ name }) => options.only.includes(name))) {
      const result = await runScenario(scenario, context);
      report.scenarios.push(result);
      if (result.error) {
        log('the scenario broke off; the ones after it are not run');
        break;
      }
    }

    for (const result of report.scenarios) refreshCounts(result, context);
    // The ledger reads the outcome records of the duplicates the receiver lists: those that must not happen.
    for (const result of report.scenarios.filter(({ strictDuplicates }) => strictDuplicates))
      receiver.duplicateExamples.push(...(result.duplicateExamples ?? []));
    log('reading webhooks.retries and webhooks.dead-letter for the whole-run ledger');
    report.ledger = await buildLedger(
      kafka,
      topology,
      connectionIds,
      receiver,
      generator.sequenced,
      generator.unpublished,
    );
  } catch (error) {
    report.error = (error as Error).stack ?? String(error);
    log(`error: ${report.error}`);
  } finally {
    log('stopping the services, the receiver and the stack');
    await cleanup.run();
    clearTimeout(watchdog);
  }

  report.unexpectedExits = services?.unexpectedExits ?? [];
  report.checks = suiteChecks(report);
  report.passed =
    !report.error && report.scenarios.length > 0 && report.scenarios.every((result) => result.passed);
  report.passed &&= report.checks.every((item) => item.passed);
  report.finishedAt = new Date().toISOString();
  report.wallSeconds = (performance.now() - suiteStart) / 1000;
  const file = writeReport(report, resolve(root, options.outDir));
  console.log(`\n${reportText(report)}\nresults: ${file}`);
  return report.passed ? 0 : 1;
}

async function runScenario(scenario: Scenario, context: FaultContext): Promise<ScenarioResult> {
  const started = performance.now();
  const idMismatchesBefore = context.receiver.delivered.idCheck().mismatches;
  const result: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    strictDuplicates: scenario.strictDuplicates,
    seconds: 0,
    passed: false,
  };
  context.log(`scenario ${scenario.name}: ${scenario.title}, ${context.options.rate} events/s`);
  // The receiver keeps the first 20 duplicates it sees; each scenario starts the list afresh.
  context.receiver.duplicateExamples.splice(0);
  try {
    Object.assign(result, await scenario.run(context));
  } catch (error) {
    result.error = (error as Error).stack ?? String(error);
    context.log(`  error: ${result.error}`);
  }
  result.duplicateExamples = context.receiver.duplicateExamples.splice(0);
  result.webhookIdMismatches = context.receiver.delivered.idCheck().mismatches - idMismatchesBefore;
  refreshCounts(result, context);
  result.seconds = (performance.now() - started) / 1000;
  const counts = result.counts;
  context.log(
    `  ${scenario.name}: ${result.passed ? 'PASS' : 'FAIL'}` +
      (counts
        ? `: published ${counts.published}, delivered ${counts.delivered}, duplicates ${counts.duplicates}, ` +
          `missing ${counts.missing}`
        : ''),
  );
  return result;
}

/** Reads the ledger again: late re-deliveries count against the scenario that published the event. */
function refreshCounts(result: ScenarioResult, context: FaultContext): void {
  if (result.range) {
    result.counts = context.ledger.count(result.range);
    result.missingExamples = context.ledger.missingExamples(result.range);
  }
  result.passed = scenarioPassed(result);
}

function suiteChecks(report: FaultReport): FaultReport['checks'] {
  const exits = report.unexpectedExits;
  const checks = [
    check(
      'no service exited unless the suite stopped it',
      exits.length === 0,
      exits.map(({ service, code, signal }) => `${service} exited with ${code ?? signal}`).join('; '),
    ),
  ];
  if (report.ledger) {
    const { missing, webhookIdCheck } = report.ledger;
    checks.push(check('whole run: 0 missing', missing === 0, `${missing} missing`));
    checks.push(
      check(
        'whole run: one webhook-id per webhook',
        webhookIdCheck.checked && webhookIdCheck.mismatches === 0,
        `${webhookIdCheck.distinctIds} ids, ${webhookIdCheck.mismatches} mismatches`,
      ),
    );
  }
  return checks;
}

/** The connection in the middle flaps in its scenario; the receiver counts it apart from the others. */
function markFlapping(topology: Topology): number {
  const connection = Math.floor(topology.connections / 2);
  topology.faultOf[connection] = 'unavailable';
  topology.healthy[connection] = false;
  return connection;
}

async function refuseTakenPorts(settings: StackSettings, options: FaultOptions): Promise<void> {
  const taken = await portsInUse([
    settings.kafkaPort,
    settings.kafkaPort + 1,
    settings.postgresPort,
    ...SERVICES.map(({ port }) => port + options.portOffset),
    REPLICA_PORT + options.portOffset,
  ]);
  if (taken.length > 0) {
    throw new Error(
      `something already listens on 127.0.0.1 port ${taken.join(', ')}; ` +
        'choose free ports with --kafka-port, --postgres-port and --port-offset',
    );
  }
}

function writeReport(report: FaultReport, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 1));
  writeFileSync(file.replace(/\.json$/, '.txt'), reportText(report) + '\n');
  return file;
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
