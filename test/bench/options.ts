import { SERVICES } from './service-processes';
import { FAULT_KINDS, type FaultKind } from './topology';

/** The benchmark's settings, from the command line. `npm run bench -- --help` lists them. */
export interface BenchOptions {
  short: boolean;
  build: boolean;
  connections: number;
  fanout: number;
  receiverPorts: number;
  warmupRate: number;
  warmupS: number;
  /**
   * The warm-up's last seconds with the fault cohorts misbehaving (when the run has a fault
   * phase), so that what only failures exercise (retries, parking, alerts, in every process on
   * their way) is compiled and running before anything is measured, as in a deployment that has
   * seen failures before.
   */
  warmupFaultS: number;
  rates: number[];
  steadyS: number;
  /** A steady phase stops early once the pipeline's lag holds this many seconds of input. */
  maxLagS: number;
  ramp: boolean;
  /** 0: start at the highest steady rate that held. */
  rampFrom: number;
  rampStep: number;
  rampStepS: number;
  rampMaxSteps: number;
  fault: boolean;
  faultRate: number;
  faultS: number;
  /**
   * Seconds at the fault rate with every endpoint healthy, just before the fault phase: what the
   * phase before left behind (the ramp's grown heaps) shows there, apart from what faults cost.
   */
  faultLeadInS: number;
  /** Percent of connections in each fault cohort (never answer, 500, 2 s late); at least one each. */
  faultPercent: number;
  /** The fault cohorts the fault phase has, a subset of hang (never answer), error (500), slow (2 s). */
  faultKinds: FaultKind[];
  drainMaxS: number;
  ceilings: boolean;
  ceilingS: number;
  ceilingConcurrency: number;
  /** HTTP clients measured alone against the receiver: sender (the project's), undici, http. */
  clients: string[];
  partitions: number;
  /** Records per produce request in the kafkajs ceiling. */
  kafkaBatch: number;
  /** Generator tick: events due are published together at most this often. */
  tickMs: number;
  /** Extra environment for every service (`KEY=VALUE`) or one (`delivery:KEY=VALUE`). */
  env: { service?: string; key: string; value: string }[];
  /**
   * Node.js or V8 flags for every service or one (`delivery:--max-semi-space-size=64`), after the
   * defaults on its command line, so they override them (NODE_OPTIONS cannot).
   */
  nodeFlags: { service?: string; flag: string }[];
  /** Services run under V8's sampling profiler (`--prof`), reported after the run. */
  prof: string[];
  kafkaPort: number;
  postgresPort: number;
  /** Services listen on 3000–3004 plus this. */
  portOffset: number;
  outDir: string;
}

const HELP = `npm run bench -- [options]
  --short                 about a minute of load; asserts only the ledger (every event published,
                          0 missing, misrouted or unexpected), never speed
  --no-build              skip building the services first
  --connections N         connections created through the admin API (100)
  --fanout F              connections each event reaches (1); N must be a multiple of F
  --receiver-ports K      receiver ports the connections spread over (8)
  --warmup S[@RATE]       warm-up seconds and rate (45@1000)
  --warmup-faults S       the warm-up's last S seconds with the fault cohorts misbehaving (15)
  --rates R1,R2,...       steady rates, events/s (1000,2500,5000,8000)
  --steady S              seconds per steady rate (60)
  --max-lag S             cut a steady phase once lag holds S seconds of input (10)
  --ramp-from R           first ramp rate (0: the highest steady rate that held)
  --ramp-step R           ramp increment, events/s (500)
  --ramp-step-s S         seconds per ramp step (20)
  --ramp-max-steps N      (20)
  --fault-rate R          fault phase rate (2500)
  --fault S               fault phase seconds (60)
  --fault-lead-in S       seconds at the fault rate, faults off, right before the fault phase (20)
  --fault-percent P       percent of connections per fault kind (1)
  --fault-kinds a,b       which fault kinds: hang (never answer), error (500), slow (2 s) (all three)
  --drain-max S           longest wait for the pipeline to empty (180)
  --ceiling-s S           seconds per raw ceiling (10)
  --ceiling-concurrency C requests in flight for the HTTP ceiling (64)
  --clients a,b           HTTP clients for the ceiling: sender, undici, http (sender,undici)
  --partitions N          TOPIC_PARTITIONS for setup (8)
  --kafka-batch N         records per produce request in the kafkajs ceiling (500)
  --tick-ms MS            generator tick: events due are sent together this often (5)
  --env KEY=VALUE         extra setting for every service; --env delivery:KEY=VALUE for one
  --node-flag FLAG        Node.js/V8 flag for every service, after the defaults; --node-flag delivery:FLAG for one
  --prof a,b              run these services under V8's profiler; a report per service beside the results
  --skip a,b              leave out phases: ceilings, steady, ramp, fault
  --kafka-port P --postgres-port P --port-offset O   (19392, 15733, 10300)
  --out DIR               results directory (test/bench/results)`;

function defaults(): BenchOptions {
  return {
    short: false,
    build: true,
    connections: 100,
    fanout: 1,
    receiverPorts: 8,
    warmupRate: 1000,
    warmupS: 45,
    warmupFaultS: 15,
    rates: [1000, 2500, 5000, 8000],
    steadyS: 60,
    maxLagS: 10,
    ramp: true,
    rampFrom: 0,
    rampStep: 500,
    rampStepS: 20,
    rampMaxSteps: 20,
    fault: true,
    faultRate: 2500,
    faultS: 60,
    faultLeadInS: 20,
    faultPercent: 1,
    faultKinds: [...FAULT_KINDS],
    drainMaxS: 180,
    ceilings: true,
    ceilingS: 10,
    ceilingConcurrency: 64,
    clients: ['sender', 'undici'],
    partitions: 8,
    kafkaBatch: 500,
    tickMs: 5,
    env: [],
    nodeFlags: [],
    prof: [],
    kafkaPort: 19392,
    postgresPort: 15733,
    portOffset: 10300,
    outDir: 'test/bench/results',
  };
}

/** About a minute of load on few connections: enough to prove nothing is lost. */
function shortMode(options: BenchOptions): void {
  Object.assign(options, {
    connections: 20,
    warmupRate: 200,
    warmupS: 5,
    warmupFaultS: 0,
    rates: [500],
    steadyS: 20,
    ramp: false,
    faultRate: 500,
    faultS: 20,
    // The steady phase before it runs at the same rate.
    faultLeadInS: 0,
    drainMaxS: 90,
    ceilings: false,
  });
}

export function parseOptions(argv: string[]): BenchOptions {
  const options = defaults();
  if (argv.includes('--help')) {
    console.log(HELP);
    process.exit(0);
  }
  if (argv.includes('--short')) {
    options.short = true;
    shortMode(options);
  }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === '--short') continue;
    if (flag === '--no-build') {
      options.build = false;
      continue;
    }
    const value = argv[++index];
    if (value === undefined) fail(`${flag} needs a value`);
    const number = () => positive(flag, value);
    switch (flag) {
      case '--connections':
        options.connections = number();
        break;
      case '--fanout':
        options.fanout = number();
        break;
      case '--receiver-ports':
        options.receiverPorts = number();
        break;
      case '--warmup': {
        const [seconds, rate] = value.split('@');
        options.warmupS = nonNegative(flag, seconds);
        if (rate !== undefined) options.warmupRate = positive(flag, rate);
        break;
      }
      case '--rates':
        options.rates = value.split(',').map((rate) => positive(flag, rate));
        break;
      case '--steady':
        options.steadyS = number();
        break;
      case '--max-lag':
        options.maxLagS = number();
        break;
      case '--ramp-from':
        options.rampFrom = nonNegative(flag, value);
        break;
      case '--ramp-step':
        options.rampStep = number();
        break;
      case '--ramp-step-s':
        options.rampStepS = number();
        break;
      case '--ramp-max-steps':
        options.rampMaxSteps = number();
        break;
      case '--fault-rate':
        options.faultRate = number();
        break;
      case '--fault':
        options.faultS = number();
        break;
      case '--warmup-faults':
        options.warmupFaultS = nonNegative(flag, value);
        break;
      case '--fault-lead-in':
        options.faultLeadInS = nonNegative(flag, value);
        break;
      case '--fault-percent':
        options.faultPercent = nonNegative(flag, value);
        break;
      case '--fault-kinds':
        options.faultKinds = value.split(',').map((kind) => {
          if (!FAULT_KINDS.includes(kind as FaultKind))
            fail(`--fault-kinds: unknown kind ${kind} (${FAULT_KINDS.join(', ')})`);
          return kind as FaultKind;
        });
        break;
      case '--drain-max':
        options.drainMaxS = number();
        break;
      case '--ceiling-s':
        options.ceilingS = number();
        break;
      case '--ceiling-concurrency':
        options.ceilingConcurrency = number();
        break;
      case '--clients':
        options.clients = value.split(',');
        break;
      case '--partitions':
        options.partitions = number();
        break;
      case '--kafka-batch':
        options.kafkaBatch = number();
        break;
      case '--tick-ms':
        options.tickMs = number();
        break;
      case '--prof':
        options.prof = value.split(',');
        break;
      case '--env':
        options.env.push(parseEnv(value));
        break;
      case '--node-flag':
        options.nodeFlags.push(parseNodeFlag(value));
        break;
      case '--skip':
        skip(options, value.split(','));
        break;
      case '--kafka-port':
        options.kafkaPort = number();
        break;
      case '--postgres-port':
        options.postgresPort = number();
        break;
      case '--port-offset':
        options.portOffset = nonNegative(flag, value);
        break;
      case '--out':
        options.outDir = value;
        break;
      default:
        fail(`unknown option ${flag}\n${HELP}`);
    }
  }
  if (options.connections % options.fanout !== 0) fail('--connections must be a multiple of --fanout');
  const named = [...options.prof, ...options.nodeFlags.map((entry) => entry.service)];
  for (const service of named) {
    if (service !== undefined && !SERVICES.some(({ name }) => name === service))
      fail(`unknown service ${service}`);
  }
  for (const client of options.clients) {
    if (!['sender', 'undici', 'http'].includes(client)) fail(`unknown HTTP client ${client}`);
  }
  return options;
}

/**
 * The most webhooks a run can call for: every phase at its full length. A ramp climbs until the
 * pipeline falls behind, thousands a second on any machine, so a run with one has no useful bound.
 */
export function mostWebhooks(options: BenchOptions): number {
  if (options.ramp) return Infinity;
  let events = options.warmupRate * options.warmupS;
  for (const rate of options.rates) events += rate * options.steadyS;
  if (options.fault) events += options.faultRate * (options.faultLeadInS + options.faultS);
  return events * options.fanout;
}

function skip(options: BenchOptions, parts: string[]): void {
  for (const part of parts) {
    if (part === 'ceilings') options.ceilings = false;
    else if (part === 'steady') options.rates = [];
    else if (part === 'ramp') options.ramp = false;
    else if (part === 'fault') options.fault = false;
    else fail(`--skip takes ceilings, steady, ramp, fault; not ${part}`);
  }
}

function parseEnv(text: string): { service?: string; key: string; value: string } {
  const match = /^(?:([a-z-]+):)?([A-Z][A-Z0-9_]*)=(.*)$/s.exec(text);
  if (!match) fail(`--env takes KEY=VALUE or service:KEY=VALUE, not ${text}`);
  return { service: match[1], key: match[2], value: match[3] };
}

function parseNodeFlag(text: string): { service?: string; flag: string } {
  const match = /^(?:([a-z-]+):)?(--[a-z0-9-]+(?:=\S+)?)$/.exec(text);
  if (!match) fail(`--node-flag takes --flag[=value] or service:--flag[=value], not ${text}`);
  return { service: match[1], flag: match[2] };
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0)) fail(`${flag} takes a positive number, not ${text}`);
  return value;
}

function nonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (!(value >= 0)) fail(`${flag} takes a number, not ${text}`);
  return value;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
