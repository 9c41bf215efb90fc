import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { load } from 'js-yaml';
import { SERVICES, ensureTool, root } from './helm.mjs';

const PROM_CLIENT_DEFAULTS = [
  'nodejs_eventloop_lag_p99_seconds',
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'nodejs_heap_size_used_bytes',
];
const EXTERNAL = ['up'];

/** The webhooks_… metrics the services register, read from their source. */
function registeredMetrics() {
  const names = new Set();
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/name: '(webhooks_[a-z_]+)'/g))
          names.add(match[1]);
      }
    }
  };
  visit(join(root, 'apps'));
  visit(join(root, 'libs'));
  return names;
}

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
]);

/** Metric names in a PromQL expression: identifiers left once strings, selectors, ranges,
 * grouping lists and function calls are set aside. */
function metricsIn(expr) {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_][a-zA-Z0-9_]*)\b(?!\s*\()/g)) {
    if (PROMQL_KEYWORDS.has(match[1])) continue;
    names.add(match[1].replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}

const dashboard = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'campaign-webhooks.json'), 'utf8'));
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const dashboardExprs = panels.flatMap((panel) => panel.targets.map((target) => target.expr));
const alerts = load(readFileSync(join(root, 'deploy', 'prometheus', 'alerts.yml'), 'utf8'));
const alertExprs = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
const registered = registeredMetrics();

let promtool;

function runPromtool(args) {
  // PROMTOOL, or one built once into the tools' cache, when a test first needs it.
  promtool ??= process.env.PROMTOOL || ensureTool('promtool');
  const result = spawnSync(promtool, args, { cwd: join(root, 'deploy', 'prometheus'), encoding: 'utf8' });
  assert.equal(result.status, 0, `promtool ${args.join(' ')}\n${result.stdout}${result.stderr}`);
}

describe('Grafana dashboard', () => {
  test('shows every metric the services register', () => {
    const used = new Set(dashboardExprs.flatMap((expr) => [...metricsIn(expr)]));
    const missing = [...registered].filter((name) => !used.has(name));
    assert.deepEqual(missing, []);
    for (const name of PROM_CLIENT_DEFAULTS) assert.ok(used.has(name), name);
  });

  test('queries only metrics that exist', () => {
    const known = new Set([...registered, ...PROM_CLIENT_DEFAULTS, ...EXTERNAL]);
    for (const expr of dashboardExprs) {
      for (const name of metricsIn(expr)) assert.ok(known.has(name), `${name} in ${expr}`);
    }
  });

  test('has latency percentiles from the delivery histogram', () => {
    for (const quantile of ['0.5', '0.9', '0.99']) {
      assert.ok(
        dashboardExprs.some((expr) =>
          expr.includes(
            `histogram_quantile(${quantile}, sum by (le) (rate(webhooks_delivery_duration_seconds_bucket`,
          ),
        ),
        quantile,
      );
    }
  });

  test('lag panels take the max across replicas, which each report the whole group', () => {
    const lagExprs = dashboardExprs.filter((expr) => expr.includes('webhooks_consumer_lag'));
    assert.ok(lagExprs.length > 0);
    for (const expr of lagExprs) {
      assert.match(
        expr,
        /max by \(namespace, service, topic\) \(sum by \(namespace, service, instance, topic\) \(webhooks_consumer_lag\{/,
        expr,
      );
    }
  });

  test('every panel uses the datasource variable and has a unique id and a place', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const panel of panels) {
      assert.equal(panel.datasource.uid, '${datasource}', panel.title);
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, panel.title);
      assert.ok(panel.targets.length > 0, panel.title);
    }
    assert.deepEqual(
      dashboard.templating.list.map((variable) => variable.name),
      ['datasource', 'namespace', 'service'],
    );
  });
});

describe('Prometheus configuration', () => {
  test('alert rules use only metrics that exist, and cover lag, dead letters, breakers, failures and down', () => {
    const used = new Set(alertExprs.flatMap((expr) => [...metricsIn(expr)]));
    const known = new Set([...registered, ...EXTERNAL]);
    for (const name of used) assert.ok(known.has(name), name);
    for (const name of [
      'up',
      'webhooks_consumer_lag',
      'webhooks_dead_letters_total',
      'webhooks_breakers_open',
      'webhooks_deliveries_total',
    ]) {
      assert.ok(used.has(name), name);
    }
  });

  test('prometheus.yml scrapes each service on its port with its service label', () => {
    const config = load(readFileSync(join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8'));
    const job = config.scrape_configs.find((entry) => entry.job_name === 'campaign-webhooks');
    const targets = Object.fromEntries(
      job.static_configs.map((entry) => [entry.labels.service, entry.targets[0]]),
    );
    assert.deepEqual(
      targets,
      Object.fromEntries(Object.entries(SERVICES).map(([service, port]) => [service, `${service}:${port}`])),
    );
    assert.deepEqual(config.rule_files, ['alerts.yml']);
    assert.deepEqual(
      config.scrape_configs.map((entry) => entry.job_name),
      ['campaign-webhooks', 'prometheus'],
    );
  });

  test('the lag alert reads webhooks_consumer_lag, max across replicas, without the retries topic', () => {
    const rule = alerts.groups[0].rules.find((entry) => entry.alert === 'CampaignWebhooksConsumerLagGrowing');
    const selectors = [...rule.expr.matchAll(/([a-z_]+)\{([^}]*)\}/g)];
    assert.equal(selectors.length, 2, rule.expr);
    for (const [, metric, matchers] of selectors) {
      assert.equal(metric, 'webhooks_consumer_lag');
      assert.equal(matchers, 'topic!="webhooks.retries"');
    }
    assert.match(
      rule.expr,
      /^max by \(namespace, service, topic\) \(sum by \(namespace, service, instance, topic\) /m,
    );
  });

  test('promtool accepts prometheus.yml and the rules', () => {
    runPromtool(['check', 'config', '--lint=all', 'prometheus.yml']);
  });

  test('the alerts fire as alerts.test.yml expects', () => {
    runPromtool(['test', 'rules', 'alerts.test.yml']);
  });
});
