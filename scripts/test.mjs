// npm test: unit tests, integration tests of the libraries against a real Kafka broker and
// PostgreSQL, then end-to-end tests against the broker, the database and the five services, on
// ports of their own so a running `npm start` is left alone.
//   npm test -- --e2e-only            skips the unit tests
//   npm test -- --e2e-only admin      runs only the e2e suites whose path matches "admin"
//   TEST_SLOT=1 npm test              another set of ports and state, for a second checkout
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { localEnv, root } from './local-env.mjs';
import {
  buildServices,
  ensureDependencies,
  run,
  runAsync,
  startServices,
  stopServices,
  waitUntilReady,
} from './processes.mjs';

const slot = Number(process.env.TEST_SLOT ?? 0);
const kafkaPort = 19092 + slot * 100;
const postgresPort = 15433 + slot * 100;
const stackDir = join(root, '.local', slot === 0 ? 'test' : `test-${slot}`);
const env = {
  ...localEnv({ stackDir, kafkaPort, postgresPort, portOffset: 10000 + slot * 100 }),
  // Test settings are fixed here, whatever the caller's environment holds.
  KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
  KAFKA_PORT: String(kafkaPort),
  // Listeners that ask for a login, and for TLS: the integration suite connects as the services would.
  KAFKA_SASL_PORT: String(kafkaPort + 2),
  KAFKA_SASL_USERS: 'webhooks:webhooks-test-password',
  KAFKA_TLS_PORT: String(kafkaPort + 3),
  DATABASE_URL: `postgres://webhooks:webhooks@127.0.0.1:${postgresPort}/webhooks`,
  // The fuzz project's connections are schemathesis's: no other suite sends its events. The
  // suites that read the pipeline's counters publish as initech (bad-input, metrics), which no
  // other suite uses.
  ADMIN_API_KEYS:
    'acme:acme-test-key-0123456789,globex:globex-test-key-0123456789,fuzz:fuzz-test-key-0123456789,initech:initech-test-key-0123456789',
  ENDPOINT_POLICY: 'allow-private',
  // Suites and the fuzzer make requests faster than a console would; admin-hardening tests the limit.
  ADMIN_RATE_LIMIT_PER_SECOND: '1000',
  ADMIN_RATE_LIMIT_BURST: '1000',
  LOG_LEVEL: 'info',
  // A compressed retry schedule and a quick breaker, so the suites see retries and recoveries.
  RETRY_SCHEDULE: '1s,1s,1s',
  DELIVERY_TIMEOUT_MS: '1500',
  BREAKER_RESET_MS: '3000',
  // Connections with "use static IP" leave from 127.0.0.2, the others from 127.0.0.1.
  STATIC_EGRESS_LOCAL_ADDRESS: '127.0.0.2',
  // The notifier e2e suite listens on this port; until it does, sending fails and is retried.
  SMTP_URL: `smtp://127.0.0.1:${12525 + slot * 100}`,
  NOTIFY_INTERVAL_S: '2',
};
const stack = join(root, 'deploy', 'local', 'stack.sh');
const nx = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

const e2eOnly = process.argv.includes('--e2e-only');
const e2ePatterns = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

ensureDependencies();
if (!e2eOnly) run('npx', ['nx', 'run-many', '-t', 'test', '--output-style=static'], nx);
buildServices();
run(join(root, 'deploy', 'local', 'ensure-test-peers.sh'), []);
// Every run starts from an empty broker and database: suites must not meet an earlier run's connections.
run(stack, ['down'], env);
rmSync(join(stackDir, 'kafka'), { recursive: true, force: true });
run(join(root, 'deploy', 'local', 'postgres.sh'), ['reset'], env);
run(stack, ['up'], env);
try {
  run('npx', ['jest', '-c', 'test/integration/jest.config.cts', '--runInBand'], env);
} catch (error) {
  run(stack, ['down'], env);
  throw error;
}

mkdirSync(stackDir, { recursive: true });
const logFile = join(stackDir, 'services.log');
const log = createWriteStream(logFile);
const services = startServices(env, (name, line) => log.write(`${name} ${line}\n`));
let failed = false;
try {
  await waitUntilReady(services);
  await runAsync('npx', ['jest', '-c', 'test/e2e/jest.config.cts', '--runInBand', ...e2ePatterns], {
    ...env,
    SERVICES_LOG: logFile,
    ...Object.fromEntries(
      services.map(({ name, port }) => [
        `${name.toUpperCase().replace(/-/g, '_')}_URL`,
        `http://127.0.0.1:${port}`,
      ]),
    ),
  });
} catch (error) {
  failed = true;
  console.error(error.message);
  console.error(`service logs: ${logFile}`);
} finally {
  await stopServices(services);
  log.end();
  run(stack, ['down'], env);
}
process.exit(failed ? 1 : 0);
