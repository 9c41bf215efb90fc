import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, describe, test } from 'node:test';
import { load } from 'js-yaml';
import {
  SERVICES,
  byComponent,
  chart,
  helm,
  ofKind,
  render,
  root,
  runHelm,
  serviceConfigProblems,
  valuesFile,
} from './helm.mjs';

const ALL_TOGGLES = ['-f', valuesFile('all-toggles.yaml')];
const SECRETS = ['-f', valuesFile('secrets.yaml')];
const KAFKA_SECURITY = ['-f', valuesFile('kafka-security.yaml')];
const secretsOf = (file) => Object.values(load(readFileSync(valuesFile(file), 'utf8')).secrets);
const SECRET_VALUES = [...secretsOf('secrets.yaml'), ...secretsOf('kafka-security.yaml')];
const SECRET_KEYS = {
  'admin-api': ['DATABASE_URL', 'ADMIN_API_KEYS', 'SECRETS_KEY', 'STATIC_EGRESS_PROXY_URL'],
  'subscription-filter': [],
  renderer: ['DATABASE_URL'],
  delivery: ['SECRETS_KEY', 'STATIC_EGRESS_PROXY_URL'],
  notifier: ['DATABASE_URL', 'SMTP_URL'],
};

const ALERTS = [
  'CampaignWebhooksServiceDown',
  'CampaignWebhooksServiceMissing',
  'CampaignWebhooksConsumerLagGrowing',
  'CampaignWebhooksConsumerLagUnknown',
  'CampaignWebhooksDeadLetters',
  'CampaignWebhooksEndpointDeadLetters',
  'CampaignWebhooksBreakersOpen',
  'CampaignWebhooksDeliveryFailureRatioHigh',
];

const mebibytes = (quantity) => {
  const [, amount, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity);
  return Number(amount) * (unit === 'Gi' ? 1024 : 1);
};

const containerOf = (deployment) => deployment.spec.template.spec.containers[0];
const secretRefs = (container) =>
  (container.env ?? [])
    .filter((entry) => entry.valueFrom?.secretKeyRef)
    .map((entry) => entry.valueFrom.secretKeyRef);

/** Each Deployment's environment as its pod gets it: the ConfigMap, then env, secrets resolved. */
function serviceEnvironments(rendered) {
  const configData = ofKind(rendered, 'ConfigMap')[0].data;
  const secretData = ofKind(rendered, 'Secret').find(
    (secret) => !secret.metadata.annotations?.['helm.sh/hook'],
  ).stringData;
  return Object.fromEntries(
    Object.entries(byComponent(rendered, 'Deployment')).map(([service, deployment]) => {
      const env = { ...configData };
      for (const entry of containerOf(deployment).env ?? []) {
        const ref = entry.valueFrom?.secretKeyRef;
        const value = ref ? secretData[ref.key] : entry.value;
        if (value !== undefined) env[entry.name] = value;
      }
      return [service, env];
    }),
  );
}

const KAFKA_SECURITY_NAMES = [
  'KAFKA_TLS',
  'KAFKA_TLS_CA_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
];

describe('helm lint', () => {
  test('passes with the default values', () => {
    helm(['lint', '--strict', chart]);
  });

  test('passes with every toggle on and every secret set', () => {
    helm(['lint', '--strict', chart, ...ALL_TOGGLES, ...SECRETS, ...KAFKA_SECURITY]);
  });

  test('passes with an existing Secret', () => {
    helm(['lint', '--strict', chart, '--set', 'secrets.existingSecret=webhooks-credentials']);
  });
});

describe('helm template with the default values', () => {
  const objects = render();
  const deployments = byComponent(objects, 'Deployment');
  const services = byComponent(objects, 'Service');

  test('renders one Deployment and one Service per service', () => {
    assert.deepEqual(Object.keys(deployments).sort(), Object.keys(SERVICES).sort());
    assert.deepEqual(Object.keys(services).sort(), Object.keys(SERVICES).sort());
  });

  for (const [service, port] of Object.entries(SERVICES)) {
    test(`${service}: the image runs the service on its named port`, () => {
      const container = containerOf(deployments[service]);
      assert.deepEqual(container.args, [service]);
      assert.deepEqual(container.ports, [{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      assert.deepEqual(
        container.env.find((entry) => entry.name === 'PORT'),
        { name: 'PORT', value: String(port) },
      );
      assert.equal(container.envFrom[0].configMapRef.name, 'release-campaign-webhooks');
      assert.equal(deployments[service].spec.replicas > 0, true);
    });

    test(`${service}: probes use /healthz for liveness and /readyz for readiness`, () => {
      const container = containerOf(deployments[service]);
      assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
      assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
      assert.deepEqual(container.startupProbe.httpGet, { path: '/healthz', port: 'http' });
    });

    test(`${service}: runs as non-root on a read-only root filesystem with no capabilities`, () => {
      const pod = deployments[service].spec.template.spec;
      const container = containerOf(deployments[service]);
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(container.securityContext.runAsNonRoot, true);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
      assert.ok(container.resources.limits.memory);
    });

    test(`${service}: requests no more memory than its limit`, () => {
      const { requests, limits } = containerOf(deployments[service]).resources;
      assert.ok(
        mebibytes(requests.memory) <= mebibytes(limits.memory),
        `${requests.memory} > ${limits.memory}`,
      );
    });

    test(`${service}: receives only its own Secret keys`, () => {
      const refs = secretRefs(containerOf(deployments[service]));
      assert.deepEqual(
        refs.map((ref) => ref.key),
        SECRET_KEYS[service],
      );
      for (const ref of refs) assert.equal(ref.name, 'release-campaign-webhooks');
    });

    test(`${service}: the Service exposes the named http port`, () => {
      const spec = services[service].spec;
      assert.deepEqual(spec.ports, [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }]);
      assert.deepEqual(spec.selector, deployments[service].spec.selector.matchLabels);
    });
  }

  test('pods carry checksums of the ConfigMap and the Secret', () => {
    for (const deployment of Object.values(deployments)) {
      const annotations = deployment.spec.template.metadata.annotations;
      assert.match(annotations['checksum/config'], /^[0-9a-f]{64}$/);
      assert.match(annotations['checksum/secret'], /^[0-9a-f]{64}$/);
    }
  });

  test('the setup Job is a pre-install and pre-upgrade hook running `setup`', () => {
    const [job] = ofKind(objects, 'Job');
    assert.ok(job, 'no Job rendered');
    const hooks = job.metadata.annotations['helm.sh/hook'].split(',');
    assert.deepEqual(hooks.sort(), ['pre-install', 'pre-upgrade']);
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(container.args, ['setup']);
    const env = Object.fromEntries(container.env.map((entry) => [entry.name, entry]));
    assert.equal(env.KAFKA_BROKERS.value, 'kafka:9092');
    assert.equal(env.TOPIC_PARTITIONS.value, '8');
    assert.equal(env.DATABASE_URL.valueFrom.secretKeyRef.key, 'DATABASE_URL');
    // Hooks run before the release's objects exist: the job may only use a hook Secret.
    const hookSecret = ofKind(objects, 'Secret').find(
      (secret) => secret.metadata.annotations?.['helm.sh/hook'],
    );
    assert.equal(env.DATABASE_URL.valueFrom.secretKeyRef.name, hookSecret.metadata.name);
    assert.ok(
      Number(hookSecret.metadata.annotations['helm.sh/hook-weight']) <
        Number(job.metadata.annotations['helm.sh/hook-weight']),
    );
    assert.equal(job.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
  });

  test('optional objects stay off', () => {
    for (const kind of ['HorizontalPodAutoscaler', 'ServiceMonitor', 'PrometheusRule', 'Ingress']) {
      assert.deepEqual(ofKind(objects, kind), [], kind);
    }
    assert.deepEqual(Object.keys(byComponent(objects, 'PodDisruptionBudget')).sort(), [
      'admin-api',
      'delivery',
      'renderer',
      'subscription-filter',
    ]);
  });

  test('no Kafka TLS or SASL setting, and no CA volume, unless set', () => {
    const [configMap] = ofKind(objects, 'ConfigMap');
    for (const workload of [...Object.values(deployments), ...ofKind(objects, 'Job')]) {
      const pod = workload.spec.template.spec;
      const names = (pod.containers[0].env ?? []).map((entry) => entry.name);
      for (const name of KAFKA_SECURITY_NAMES) {
        assert.ok(!names.includes(name), `${workload.metadata.name} has ${name}`);
        assert.ok(!(name in configMap.data), `ConfigMap has ${name}`);
      }
      assert.deepEqual(
        pod.volumes.map((volume) => volume.name),
        ['tmp'],
      );
    }
  });

  test('the ConfigMap holds the shared settings', () => {
    const [configMap] = ofKind(objects, 'ConfigMap');
    assert.equal(configMap.data.KAFKA_BROKERS, 'kafka:9092');
    assert.equal(configMap.data.ENDPOINT_POLICY, 'public-https');
    assert.equal(configMap.data.TOPIC_DEAD_LETTER, 'webhooks.dead-letter');
    for (const value of Object.values(configMap.data)) assert.equal(typeof value, 'string');
  });
});

describe('helm template with every toggle on', () => {
  const objects = render([...ALL_TOGGLES, ...SECRETS]);
  const deployments = byComponent(objects, 'Deployment');

  test('one HorizontalPodAutoscaler per service, and Deployments leave replicas to it', () => {
    const hpas = byComponent(objects, 'HorizontalPodAutoscaler');
    assert.deepEqual(Object.keys(hpas).sort(), Object.keys(SERVICES).sort());
    for (const [service, hpa] of Object.entries(hpas)) {
      assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
      assert.equal(hpa.spec.scaleTargetRef.name, deployments[service].metadata.name);
      assert.equal(deployments[service].spec.replicas, undefined);
    }
  });

  test('one PodDisruptionBudget per service, selecting its pods', () => {
    const pdbs = byComponent(objects, 'PodDisruptionBudget');
    assert.deepEqual(Object.keys(pdbs).sort(), Object.keys(SERVICES).sort());
    for (const [service, pdb] of Object.entries(pdbs)) {
      assert.deepEqual(pdb.spec.selector.matchLabels, deployments[service].spec.selector.matchLabels);
    }
    assert.equal(pdbs['admin-api'].spec.minAvailable, 1);
    assert.equal(pdbs.delivery.spec.maxUnavailable, 1);
  });

  test('one ServiceMonitor per service, scraping /metrics on the http port', () => {
    const monitors = byComponent(objects, 'ServiceMonitor');
    const services = byComponent(objects, 'Service');
    assert.deepEqual(Object.keys(monitors).sort(), Object.keys(SERVICES).sort());
    for (const [service, monitor] of Object.entries(monitors)) {
      assert.equal(monitor.metadata.labels.release, 'kube-prometheus-stack');
      assert.deepEqual(monitor.spec.selector.matchLabels, services[service].spec.selector);
      const [endpoint] = monitor.spec.endpoints;
      assert.equal(endpoint.port, 'http');
      assert.equal(endpoint.path, '/metrics');
      assert.deepEqual(endpoint.relabelings, [
        { action: 'replace', targetLabel: 'service', replacement: service },
      ]);
      assert.equal(services[service].metadata.labels[monitor.spec.jobLabel], 'campaign-webhooks');
    }
  });

  test('a PrometheusRule with the eight alerts and the additional rules', () => {
    const [rule] = ofKind(objects, 'PrometheusRule');
    assert.deepEqual(
      rule.spec.groups[0].rules.map((entry) => entry.alert),
      [...ALERTS, 'CampaignWebhooksExample'],
    );
  });

  test('an Ingress for the admin API only', () => {
    const [ingress] = ofKind(objects, 'Ingress');
    const backends = ingress.spec.rules[0].http.paths.map((path) => path.backend.service.name);
    assert.ok(backends.every((name) => name === deployments['admin-api'].metadata.name));
    assert.deepEqual(
      ingress.spec.rules[0].http.paths.map((path) => path.path),
      ['/v1', '/docs', '/docs-json'],
    );
  });

  test('per-service settings reach only that service', () => {
    const env = (service) => containerOf(deployments[service]).env.map((entry) => entry.name);
    assert.ok(env('delivery').includes('MAX_IN_FLIGHT_PER_CONNECTION'));
    assert.ok(!env('renderer').includes('MAX_IN_FLIGHT_PER_CONNECTION'));
    const [configMap] = ofKind(objects, 'ConfigMap');
    assert.equal(configMap.data.PARTITIONS_CONSUMED_CONCURRENTLY, '16');
    assert.equal(configMap.data.STATIC_EGRESS_LOCAL_ADDRESS, '10.0.0.9');
  });

  test('topology spread constraints select the pods of their own service', () => {
    for (const deployment of Object.values(deployments)) {
      const [constraint] = deployment.spec.template.spec.topologySpreadConstraints;
      assert.equal(constraint.topologyKey, 'topology.kubernetes.io/zone');
      assert.deepEqual(constraint.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
    }
  });

  test('the image is pinned by digest', () => {
    for (const deployment of Object.values(deployments)) {
      assert.match(containerOf(deployment).image, /^registry\.example\.com\/campaign-webhooks@sha256:/);
    }
  });
});

describe('secrets', () => {
  const objects = render([...ALL_TOGGLES, ...SECRETS, ...KAFKA_SECURITY]);

  test('no secret value is rendered into a ConfigMap or any object but a Secret', () => {
    for (const object of objects) {
      if (object.kind === 'Secret') continue;
      const text = JSON.stringify(object);
      for (const value of SECRET_VALUES) {
        assert.ok(!text.includes(value), `${object.kind} ${object.metadata.name} contains a secret value`);
      }
    }
    for (const configMap of ofKind(objects, 'ConfigMap')) {
      for (const key of Object.keys(configMap.data)) {
        assert.ok(
          ![...Object.values(SECRET_KEYS).flat(), 'KAFKA_SASL_PASSWORD'].includes(key),
          `ConfigMap has ${key}`,
        );
      }
    }
  });

  test('the chart Secret holds each value under its environment variable name', () => {
    const secret = ofKind(objects, 'Secret').find((object) => !object.metadata.annotations?.['helm.sh/hook']);
    assert.deepEqual(Object.keys(secret.stringData).sort(), [
      'ADMIN_API_KEYS',
      'DATABASE_URL',
      'KAFKA_SASL_PASSWORD',
      'SECRETS_KEY',
      'SMTP_URL',
      'STATIC_EGRESS_PROXY_URL',
    ]);
    assert.deepEqual(Object.values(secret.stringData).sort(), [...SECRET_VALUES].sort());
  });

  test('every service starts with the environment its pod gets', () => {
    const environments = serviceEnvironments(render(SECRETS));
    assert.deepEqual(Object.keys(environments).sort(), Object.keys(SERVICES).sort());
    assert.deepEqual(
      serviceConfigProblems(environments),
      Object.fromEntries(Object.keys(environments).map((service) => [service, null])),
    );
  });

  test('an existing Secret replaces the chart Secret everywhere', () => {
    const existing = render(['--set', 'secrets.existingSecret=webhooks-credentials']);
    assert.deepEqual(ofKind(existing, 'Secret'), []);
    const refs = [...ofKind(existing, 'Deployment'), ...ofKind(existing, 'Job')].flatMap((workload) =>
      secretRefs(workload.spec.template.spec.containers[0]),
    );
    assert.ok(refs.length > 0);
    for (const ref of refs) assert.equal(ref.name, 'webhooks-credentials');
  });

  test('settings the services can run without are optional references', () => {
    const existing = render(['--set', 'secrets.existingSecret=webhooks-credentials']);
    for (const deployment of ofKind(existing, 'Deployment')) {
      for (const ref of secretRefs(containerOf(deployment))) {
        const optional = ['SMTP_URL', 'STATIC_EGRESS_PROXY_URL'].includes(ref.key);
        assert.equal(ref.optional ?? false, optional, ref.key);
      }
    }
  });

  test('changing a setting or a secret changes the pods checksums', () => {
    const checksums = (args) => {
      const deployment = byComponent(render(args), 'Deployment').delivery;
      return deployment.spec.template.metadata.annotations;
    };
    const base = checksums(SECRETS);
    const config = checksums([...SECRETS, '--set', 'config.logLevel=debug']);
    const secret = checksums([...SECRETS, '--set', 'secrets.smtpUrl=smtp://other@smtp.example.com']);
    assert.notEqual(config['checksum/config'], base['checksum/config']);
    assert.equal(config['checksum/secret'], base['checksum/secret']);
    assert.notEqual(secret['checksum/secret'], base['checksum/secret']);
    assert.equal(secret['checksum/config'], base['checksum/config']);
  });
});

describe('Kafka TLS and SASL', () => {
  const objects = render([...SECRETS, ...KAFKA_SECURITY]);
  const deployments = byComponent(objects, 'Deployment');
  const [job] = ofKind(objects, 'Job');
  const [configMap] = ofKind(objects, 'ConfigMap');
  const chartSecret = ofKind(objects, 'Secret').find(
    (secret) => !secret.metadata.annotations?.['helm.sh/hook'],
  );
  const hookSecret = ofKind(objects, 'Secret').find(
    (secret) => secret.metadata.annotations?.['helm.sh/hook'],
  );
  const SETTINGS = {
    KAFKA_TLS: 'true',
    KAFKA_TLS_CA_FILE: '/etc/campaign-webhooks/kafka-ca/ca.crt',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'webhooks',
  };
  const password = (container) => container.env.find((entry) => entry.name === 'KAFKA_SASL_PASSWORD');

  /** The CA file the pod's container sees: its mount of the Secret volume, and what it holds. */
  const mountedCa = (pod) => {
    const [container] = pod.containers;
    const mount = container.volumeMounts.find((entry) => entry.name === 'kafka-ca');
    const volume = pod.volumes.find((entry) => entry.name === 'kafka-ca');
    assert.ok(mount && volume, 'no kafka-ca volume or mount');
    assert.equal(mount.readOnly, true);
    assert.equal(volume.secret.items.length, 1);
    const [item] = volume.secret.items;
    return {
      secretName: volume.secret.secretName,
      key: item.key,
      path: posix.join(mount.mountPath, item.path),
    };
  };

  test('the ConfigMap holds the four settings that are not secret; the Secrets hold the password', () => {
    for (const [name, value] of Object.entries(SETTINGS)) assert.equal(configMap.data[name], value, name);
    assert.equal(chartSecret.stringData.KAFKA_SASL_PASSWORD, 'kafka-password-3e8d1a');
    assert.equal(hookSecret.stringData.KAFKA_SASL_PASSWORD, 'kafka-password-3e8d1a');
  });

  for (const service of Object.keys(SERVICES)) {
    test(`${service}: gets the settings, the password from the chart Secret and the CA file`, () => {
      const container = containerOf(deployments[service]);
      assert.equal(container.envFrom[0].configMapRef.name, configMap.metadata.name);
      assert.deepEqual(password(container), {
        name: 'KAFKA_SASL_PASSWORD',
        valueFrom: { secretKeyRef: { name: chartSecret.metadata.name, key: 'KAFKA_SASL_PASSWORD' } },
      });
      assert.deepEqual(mountedCa(deployments[service].spec.template.spec), {
        secretName: 'kafka-ca',
        key: 'ca.pem',
        path: SETTINGS.KAFKA_TLS_CA_FILE,
      });
    });
  }

  test('setup: gets the same settings, the password from its hook Secret and the CA file', () => {
    const [container] = job.spec.template.spec.containers;
    const env = Object.fromEntries(
      container.env.filter((entry) => 'value' in entry).map((e) => [e.name, e.value]),
    );
    for (const [name, value] of Object.entries(SETTINGS)) assert.equal(env[name], value, name);
    assert.deepEqual(password(container).valueFrom.secretKeyRef, {
      name: hookSecret.metadata.name,
      key: 'KAFKA_SASL_PASSWORD',
    });
    assert.deepEqual(mountedCa(job.spec.template.spec), {
      secretName: 'kafka-ca',
      key: 'ca.pem',
      path: SETTINGS.KAFKA_TLS_CA_FILE,
    });
  });

  test('every service starts with the environment its pod gets, the CA file in place', () => {
    // The services read KAFKA_TLS_CA_FILE at start: the tests above show it is the mounted
    // Secret key; here a PEM file stands in for it at a path of this machine.
    const directory = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
    after(() => rmSync(directory, { recursive: true, force: true }));
    const caFile = join(directory, 'ca.crt');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const environments = serviceEnvironments(objects);
    for (const env of Object.values(environments)) {
      for (const [name, value] of Object.entries(SETTINGS)) assert.equal(env[name], value, name);
      assert.equal(env.KAFKA_SASL_PASSWORD, 'kafka-password-3e8d1a');
      env.KAFKA_TLS_CA_FILE = caFile;
    }
    const started = Object.fromEntries(Object.keys(SERVICES).map((service) => [service, null]));
    assert.deepEqual(serviceConfigProblems(environments), started);
    // Without the file, every service refuses to start: the stand-in is what lets them.
    for (const env of Object.values(environments)) env.KAFKA_TLS_CA_FILE = join(directory, 'missing.crt');
    for (const problem of Object.values(serviceConfigProblems(environments))) {
      assert.match(problem, /KAFKA_TLS_CA_FILE expected the path of a readable PEM file/);
    }
  });

  test('TLS alone sets KAFKA_TLS only: no CA file, no login', () => {
    const rendered = render([...SECRETS, '--set', 'kafka.tls.enabled=true']);
    const data = ofKind(rendered, 'ConfigMap')[0].data;
    assert.equal(data.KAFKA_TLS, 'true');
    for (const name of KAFKA_SECURITY_NAMES.slice(1)) assert.ok(!(name in data), name);
    for (const workload of [...ofKind(rendered, 'Deployment'), ...ofKind(rendered, 'Job')]) {
      const pod = workload.spec.template.spec;
      assert.equal(password(pod.containers[0]), undefined);
      assert.ok(!pod.volumes.some((volume) => volume.name === 'kafka-ca'));
    }
    assert.deepEqual(
      serviceConfigProblems(serviceEnvironments(rendered)),
      Object.fromEntries(Object.keys(SERVICES).map((service) => [service, null])),
    );
  });

  test('with an existing Secret, the password comes from its KAFKA_SASL_PASSWORD key', () => {
    const existing = render([
      '--set',
      'secrets.existingSecret=webhooks-credentials',
      '--set',
      'kafka.sasl.mechanism=plain',
      '--set',
      'kafka.sasl.username=webhooks',
    ]);
    assert.deepEqual(ofKind(existing, 'Secret'), []);
    const workloads = [...ofKind(existing, 'Deployment'), ...ofKind(existing, 'Job')];
    assert.equal(workloads.length, Object.keys(SERVICES).length + 1);
    for (const workload of workloads) {
      assert.deepEqual(password(workload.spec.template.spec.containers[0]).valueFrom.secretKeyRef, {
        name: 'webhooks-credentials',
        key: 'KAFKA_SASL_PASSWORD',
      });
    }
  });

  test('changing the login changes the pods checksums', () => {
    const checksums = (args) =>
      byComponent(render([...SECRETS, ...KAFKA_SECURITY, ...args]), 'Deployment').delivery.spec.template
        .metadata.annotations;
    const base = checksums([]);
    const user = checksums(['--set', 'kafka.sasl.username=other']);
    const pass = checksums(['--set', 'secrets.kafkaSaslPassword=other-password']);
    assert.notEqual(user['checksum/config'], base['checksum/config']);
    assert.notEqual(pass['checksum/secret'], base['checksum/secret']);
    assert.equal(pass['checksum/config'], base['checksum/config']);
  });

  test('settings the services would refuse fail the render, naming the values to set', () => {
    for (const [sets, message] of [
      [['kafka.sasl.mechanism=plain'], /kafka\.sasl\.username is empty/],
      [['kafka.sasl.mechanism=plain', 'kafka.sasl.username=webhooks'], /secrets\.kafkaSaslPassword is empty/],
      [['kafka.sasl.username=webhooks'], /kafka\.sasl\.mechanism is empty/],
      [['secrets.kafkaSaslPassword=kafka-password'], /kafka\.sasl\.mechanism is empty/],
      [['kafka.tls.caSecret.name=kafka-ca'], /kafka\.tls\.enabled is not true/],
    ]) {
      const result = runHelm(['template', 'release', chart, ...sets.flatMap((set) => ['--set', set])]);
      assert.notEqual(result.status, 0, `${sets.join(' ')} was accepted`);
      assert.match(result.stderr, message, sets.join(' '));
    }
  });
});

describe('values', () => {
  test('the schema rejects unknown services, mistyped ports and malformed settings', () => {
    for (const set of [
      'services.deliverer.port=3005',
      'services.delivery.port=http',
      'config.endpointPolicy=open',
      'config.deliveryTimeoutMs=3600000',
      'config.staticEgressLocalAddress=eth0',
      'kafka.brokers=kafka',
      'config.extra.lower_case=1',
      'metrics.prometheusRule.consumerGroups=webhooks',
      'kafka.sasl.mechanism=gssapi',
      'kafka.tls.enabled=yes',
      'kafka.tls.caSecret.key=',
      'kafka.sasl.password=secret',
      // A secret among the plain settings would land in the ConfigMap.
      'config.extra.KAFKA_SASL_PASSWORD=secret',
      'services.delivery.env.SECRETS_KEY=secret',
    ]) {
      const result = runHelm(['template', 'release', chart, '--set', set]);
      assert.notEqual(result.status, 0, `--set ${set} was accepted`);
      assert.match(result.stderr, /schema/, set);
    }
  });

  test('every value is documented with ## @param, and every @param names a value', () => {
    const text = readFileSync(join(chart, 'values.yaml'), 'utf8');
    const documented = new Set([...text.matchAll(/^\s*## @param (\S+)/gm)].map((match) => match[1]));
    const leaves = [];
    const walk = (value, path) => {
      if (path && documented.has(path)) return leaves.push(path);
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
        for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
      } else {
        leaves.push(path);
      }
    };
    walk(load(text), '');
    const undocumented = leaves.filter((path) => !documented.has(path));
    assert.deepEqual(undocumented, [], 'values without ## @param');
    const unknown = [...documented].filter((path) => !leaves.includes(path));
    assert.deepEqual(unknown, [], '## @param naming no value');
  });
});

describe('alert rules', () => {
  const renderedGroups = (args = []) =>
    ofKind(render(['--set', 'metrics.prometheusRule.enabled=true', ...args]), 'PrometheusRule')[0].spec
      .groups;
  const chartRules = renderedGroups()[0].rules;
  const file = load(readFileSync(join(root, 'deploy', 'prometheus', 'alerts.yml'), 'utf8'));
  const both = { chart: chartRules, 'alerts.yml': file.groups[0].rules };
  const find = (rules, alert) => {
    const rule = rules.find((entry) => entry.alert === alert);
    assert.ok(rule, `${alert} is missing`);
    return rule;
  };
  // The chart's absent() selectors also name the release's namespace (render() uses "webhooks"):
  // Compose has no namespace label; in a cluster, another release's targets could hide a
  // missing service.
  const withoutReleaseNamespace = (groups) =>
    groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) => ({
        ...rule,
        expr: rule.expr.replaceAll('namespace="webhooks", ', ''),
      })),
    }));

  test('the PrometheusRule with default thresholds equals deploy/prometheus/alerts.yml', () => {
    assert.deepEqual(withoutReleaseNamespace(renderedGroups()), file.groups);
  });

  test('both hold the same alerts, in order', () => {
    for (const [where, rules] of Object.entries(both)) {
      assert.deepEqual(
        rules.map((rule) => rule.alert),
        ALERTS,
        where,
      );
    }
  });

  test('a service without any target alerts: one absent() per service, in the release namespace', () => {
    for (const [where, rules] of Object.entries(both)) {
      const rule = find(rules, 'CampaignWebhooksServiceMissing');
      const namespace = where === 'chart' ? 'namespace="webhooks", ' : '';
      const terms = rule.expr.split(/\s+or\s+/);
      assert.deepEqual(
        terms.map(
          (term) => /^absent\(up\{job="campaign-webhooks", (.*)service="([a-z-]+)"\}\)$/.exec(term)?.[2],
        ),
        Object.keys(SERVICES).sort(),
        `${where}: ${rule.expr}`,
      );
      for (const term of terms)
        assert.ok(term.includes(`{job="campaign-webhooks", ${namespace}service=`), term);
      assert.equal(rule.for, '5m', where);
      assert.deepEqual(rule.labels, { severity: 'critical' }, where);
      assert.match(rule.annotations.summary, /\{\{ \$labels\.service \}\}/, where);
    }
    const [other] = renderedGroups(['--namespace', 'webhooks-staging']);
    assert.match(find(other.rules, 'CampaignWebhooksServiceMissing').expr, /namespace="webhooks-staging"/);
    const slower = renderedGroups(['--set', 'metrics.prometheusRule.serviceDownFor=10m']);
    assert.equal(find(slower[0].rules, 'CampaignWebhooksServiceMissing').for, '10m');
  });

  test('a service that is up but reports no consumer lag alerts', () => {
    for (const [where, rules] of Object.entries(both)) {
      const rule = find(rules, 'CampaignWebhooksConsumerLagUnknown');
      assert.equal(
        rule.expr,
        [
          'max by (namespace, service) (up{job="campaign-webhooks"}) == 1',
          'unless on (namespace, service)',
          'count by (namespace, service) (webhooks_consumer_lag)',
        ].join('\n'),
        where,
      );
      assert.equal(rule.for, '5m', where);
      assert.deepEqual(rule.labels, { severity: 'warning' }, where);
      assert.match(rule.annotations.description, /admin API is unreachable or refused/, where);
    }
  });

  test("dead letters: bad input alerts operators; endpoints' refusals only inform, above a rate", () => {
    // The reason codes delivery gives deliveries that failed for good (delivery-engine.ts).
    const engine = readFileSync(join(root, 'apps', 'delivery', 'src', 'app', 'delivery-engine.ts'), 'utf8');
    for (const code of ['retries_exhausted', 'delivery_failed'])
      assert.ok(engine.includes(`\`${code}: `), code);
    for (const [where, rules] of Object.entries(both)) {
      const operator = find(rules, 'CampaignWebhooksDeadLetters');
      const selectors = [...operator.expr.matchAll(/webhooks_dead_letters_total(\{[^}]*\})?/g)];
      assert.equal(selectors.length, 3, operator.expr);
      // Both halves filter; the `unless` side needs none, as its left side is filtered already.
      assert.deepEqual(
        selectors.map((match) => match[1]),
        [
          '{reason!~"retries_exhausted|delivery_failed"}',
          '{reason!~"retries_exhausted|delivery_failed"}',
          undefined,
        ],
        where,
      );
      assert.deepEqual(operator.labels, { severity: 'warning' }, where);

      const endpoints = find(rules, 'CampaignWebhooksEndpointDeadLetters');
      assert.match(
        endpoints.expr,
        /^sum by \(namespace, service, reason\) \(rate\(webhooks_dead_letters_total\{reason=~"retries_exhausted\|delivery_failed"\}\[15m\]\)\) > 1$/,
        where,
      );
      assert.equal(endpoints.for, '30m', where);
      assert.deepEqual(endpoints.labels, { severity: 'info' }, where);
    }
  });

  test('the failure ratio leaves out attempts answered with a 4xx', () => {
    for (const [where, rules] of Object.entries(both)) {
      const { expr } = find(rules, 'CampaignWebhooksDeliveryFailureRatioHigh');
      const selectors = [...expr.matchAll(/webhooks_deliveries_total\{([^}]*)\}/g)];
      assert.equal(selectors.length, 3, expr);
      for (const [, matchers] of selectors) assert.match(matchers, /, status_class!="4xx"$/, where);
    }
  });

  test('the breakers alert speaks of open or half-open breakers', () => {
    for (const [where, rules] of Object.entries(both)) {
      const { annotations } = find(rules, 'CampaignWebhooksBreakersOpen');
      assert.match(annotations.summary, /open or half-open/, where);
      assert.match(annotations.description, /open or half-open/, where);
    }
  });

  test("the lag alert reads the services' webhooks_consumer_lag, max across replicas, without the retries topic", () => {
    const lagRule = (args) => {
      const [rule] = ofKind(
        render(['--set', 'metrics.prometheusRule.enabled=true', ...args]),
        'PrometheusRule',
      );
      return rule.spec.groups[0].rules.find((entry) => entry.alert === 'CampaignWebhooksConsumerLagGrowing');
    };
    const { expr, labels, annotations } = lagRule([]);
    const selectors = [...expr.matchAll(/([a-z_]+)\{([^}]*)\}/g)];
    assert.equal(selectors.length, 2, expr);
    for (const [, metric, matchers] of selectors) {
      assert.equal(metric, 'webhooks_consumer_lag');
      assert.equal(matchers, 'topic!="webhooks.retries"');
    }
    assert.doesNotMatch(expr, /kafka_consumergroup_lag|consumergroup/);
    assert.match(
      expr,
      /^max by \(namespace, service, topic\) \(sum by \(namespace, service, instance, topic\) \(webhooks_consumer_lag\{[^}]*\}\)\) > 1000$/m,
    );
    assert.match(expr, /deriv\(webhooks_consumer_lag\{[^}]*\}\[15m\]\)/);
    assert.deepEqual(labels, { severity: 'warning' });
    assert.match(annotations.summary, /\{\{ \$labels\.service \}\}.*\{\{ \$labels\.topic \}\}/);

    const custom = lagRule([
      '--set',
      'kafka.topics.retries=acme.webhooks.retries',
      '--set',
      'metrics.prometheusRule.consumerLagThreshold=5000',
      '--set',
      'metrics.prometheusRule.consumerLagFor=30m',
    ]);
    assert.equal(custom.expr.match(/topic!="acme\.webhooks\.retries"/g)?.length, 2, custom.expr);
    assert.match(custom.expr, /\) > 5000$/m);
    assert.match(custom.expr, /\[30m\]/);
    assert.equal(custom.for, '30m');
  });
});
