/** The fault suite's settings, from the command line. `npm run test:faults -- --help` lists them. */
export const SCENARIO_NAMES = [
  'kill',
  'broker-outage',
  'postgres-outage',
  'flapping-endpoint',
  'graceful-stop',
  'rebalance',
  'soak',
] as const;

/** The soak runs only when asked for (`--only soak`, or `npm run test:soak`). */
const DEFAULT_SCENARIOS = SCENARIO_NAMES.filter((name) => name !== 'soak');

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface FaultOptions {
  build: boolean;
  /** Message events per second while a scenario runs. */
  rate: number;
  connections: number;
  receiverPorts: number;
  partitions: number;
  /** Longest wait, per scenario, for every published webhook to be delivered. */
  drainMaxS: number;
  only: ScenarioName[];
  soakMinutes: number;
  kafkaPort: number;
  postgresPort: number;
  portOffset: number;
  outDir: string;
}

const HELP = `npm run test:faults -- [options]
  --no-build              use the services already in dist/ (CI builds them in npm test)
  --rate R                message events per second during each scenario (1000)
  --connections N         connections, one per project, fan-out 1 (50)
  --receiver-ports K      receiver ports the connections spread over (4)
  --partitions N          TOPIC_PARTITIONS for setup (8)
  --drain-max S           longest wait per scenario for every webhook to arrive (150)
  --only a,b              run only these scenarios: ${SCENARIO_NAMES.join(', ')}
                          (all but soak unless named)
  --soak-minutes M        how long the soak publishes (30)
  --kafka-port P --postgres-port P --port-offset O   (19592, 15933, 10500)
  --out DIR               results directory (test/faults/results)`;

export function parseOptions(argv: string[]): FaultOptions {
  const options: FaultOptions = {
    build: true,
    rate: 1000,
    connections: 50,
    receiverPorts: 4,
    partitions: 8,
    drainMaxS: 150,
    only: DEFAULT_SCENARIOS,
    soakMinutes: 30,
    kafkaPort: 19592,
    postgresPort: 15933,
    portOffset: 10500,
    outDir: 'test/faults/results',
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    const count = () => {
      const number = Number(value());
      if (!Number.isInteger(number) || number <= 0) throw new Error(`${flag} needs a positive integer`);
      return number;
    };
    switch (flag) {
      case '--help':
        console.log(HELP);
        process.exit(0);
        break;
      case '--no-build':
        options.build = false;
        break;
      case '--rate':
        options.rate = count();
        break;
      case '--connections':
        options.connections = count();
        break;
      case '--receiver-ports':
        options.receiverPorts = count();
        break;
      case '--partitions':
        options.partitions = count();
        break;
      case '--drain-max':
        options.drainMaxS = count();
        break;
      case '--only':
        options.only = value()
          .split(',')
          .map((name) => {
            if (!(SCENARIO_NAMES as readonly string[]).includes(name))
              throw new Error(`unknown scenario ${name}; known: ${SCENARIO_NAMES.join(', ')}`);
            return name as ScenarioName;
          });
        break;
      case '--soak-minutes':
        options.soakMinutes = count();
        break;
      case '--kafka-port':
        options.kafkaPort = count();
        break;
      case '--postgres-port':
        options.postgresPort = count();
        break;
      case '--port-offset':
        options.portOffset = count();
        break;
      case '--out':
        options.outDir = value();
        break;
      default:
        throw new Error(`unknown option ${flag}\n${HELP}`);
    }
  }
  if (options.connections < 2) throw new Error('--connections must be at least 2 (one of them flaps)');
  return options;
}
