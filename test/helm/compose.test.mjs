import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { load } from 'js-yaml';
import { SERVICES, root, serviceConfigProblems } from './helm.mjs';

const composeFile = join(root, 'deploy', 'compose.yaml');
const available = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const skip = available ? false : 'docker-compose is not installed (apt-get install docker-compose)';
if (skip) console.log(`# skipping deploy/compose.yaml checks: ${skip}`);

const REQUIRED = {
  SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
  SMTP_URL: 'smtp://mailer:password@mail.example.com:587',
};

function config(env) {
  return spawnSync('docker-compose', ['-f', composeFile, 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
}

describe('deploy/compose.yaml', () => {
  test('docker-compose config accepts it', { skip }, () => {
    const result = config(REQUIRED);
    assert.equal(result.status, 0, result.stderr);
    const compose = load(result.stdout);
    const names = Object.keys(compose.services);
    for (const name of ['kafka', 'postgres', 'setup', 'prometheus', ...Object.keys(SERVICES)]) {
      assert.ok(names.includes(name), name);
    }
    // The services export their own consumer lag (webhooks_consumer_lag).
    assert.ok(!names.includes('kafka-exporter'));
    assert.deepEqual(compose.services.setup.command, ['setup']);
    assert.equal(compose.services.setup.restart, 'no');
    assert.equal(compose.services.setup.depends_on.kafka.condition, 'service_healthy');
    assert.equal(compose.services.setup.depends_on.postgres.condition, 'service_healthy');
    for (const [service, port] of Object.entries(SERVICES)) {
      const definition = compose.services[service];
      assert.deepEqual(definition.command, [service]);
      assert.equal(String(definition.environment.PORT), String(port));
      assert.equal(definition.environment.KAFKA_BROKERS, 'kafka:9092');
      assert.equal(definition.depends_on.setup.condition, 'service_completed_successfully');
      assert.equal(definition.read_only, true);
      assert.ok(definition.healthcheck.test.join(' ').includes("process.env.PORT + '/readyz'"), service);
    }
  });

  test('every service starts with the environment it gets', { skip }, () => {
    const compose = load(config(REQUIRED).stdout);
    const environments = Object.fromEntries(
      Object.keys(SERVICES).map((service) => [
        service,
        Object.fromEntries(
          Object.entries(compose.services[service].environment).map(([name, value]) => [name, String(value)]),
        ),
      ]),
    );
    assert.deepEqual(
      serviceConfigProblems(environments),
      Object.fromEntries(Object.keys(SERVICES).map((service) => [service, null])),
    );
  });

  test('passes the Kafka TLS and SASL settings to every service and setup', { skip }, () => {
    // KAFKA_TLS_CA_FILE is a path in the containers, mounted by the operator; a file of this
    // machine stands in for it when the services parse their settings.
    const directory = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
    after(() => rmSync(directory, { recursive: true, force: true }));
    const caFile = join(directory, 'ca.crt');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const kafka = {
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'webhooks',
      KAFKA_SASL_PASSWORD: 'kafka-password-3e8d1a',
    };
    const result = config({ ...REQUIRED, ...kafka });
    assert.equal(result.status, 0, result.stderr);
    const compose = load(result.stdout);
    const environment = (service) =>
      Object.fromEntries(
        Object.entries(compose.services[service].environment).map(([name, value]) => [name, String(value)]),
      );
    for (const service of ['setup', ...Object.keys(SERVICES)]) {
      for (const [name, value] of Object.entries(kafka))
        assert.equal(environment(service)[name], value, name);
    }
    const environments = Object.fromEntries(
      Object.keys(SERVICES).map((service) => [service, environment(service)]),
    );
    assert.deepEqual(
      serviceConfigProblems(environments),
      Object.fromEntries(Object.keys(SERVICES).map((service) => [service, null])),
    );
  });

  test('leaves the Kafka TLS and SASL settings unset by default', { skip }, () => {
    const compose = load(config(REQUIRED).stdout);
    for (const service of ['setup', ...Object.keys(SERVICES)]) {
      const { environment } = compose.services[service];
      assert.equal(String(environment.KAFKA_TLS), 'false', service);
      for (const name of [
        'KAFKA_TLS_CA_FILE',
        'KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
      ]) {
        assert.equal(environment[name], '', `${service} ${name}`);
      }
    }
  });

  for (const name of Object.keys(REQUIRED)) {
    test(`refuses to start without ${name}, naming it`, { skip }, () => {
      const result = config({ ...REQUIRED, [name]: undefined });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, new RegExp(name));
    });
  }
});
