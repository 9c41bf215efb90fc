/**
 * npm run bench:delivery: the CPU delivery's own code spends on one record, with no broker and
 * no network: the engine as the service builds it (header validation, the connection's lane and
 * breaker, outbound auth, the outcome record, alerts, metrics), handed batches of records as a
 * fetch does, against a sender that answers 200 at once and a producer that acknowledges at
 * once. It isolates what `npm run bench` measures together with undici, kafkajs and the broker
 * in delivery's CPU per webhook. A last repeat runs under V8's sampling heap profiler and gives
 * the bytes allocated per record, collected or not, by allocating function. See
 * docs/performance.md.
 */
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { ConnectionIndex } from '@campaign-webhooks/connections';
import { DELIVERY_HEADERS, topicNames, type ConnectionSnapshot } from '@campaign-webhooks/contracts';
import type { SendResult, WebhookSender } from '@campaign-webhooks/http-delivery';
import { BatchingProducer, type ConsumedRecord } from '@campaign-webhooks/kafka';
import { OAuthTokenProvider, OutboundAuth } from '@campaign-webhooks/outbound-auth';
import { parseSecretsKey, SecretBox } from '@campaign-webhooks/secrets';
import pino from 'pino';
import { CredentialsCache } from '../../apps/delivery/src/app/credentials-cache';
import { DeliveryEngine } from '../../apps/delivery/src/app/delivery-engine';
import { DeliveryMetrics } from '../../apps/delivery/src/app/delivery-metrics';
import { FailureAlerts } from '../../apps/delivery/src/app/failure-alerts';
import {
  DEFAULT_RETRY_SCHEDULE,
  parseRetrySchedule,
  RetrySchedule,
} from '../../apps/delivery/src/app/retry-schedule';
// The library's index also exports its NestJS module, whose decorators tsx does not compile.
import { PipelineMetrics } from '../../libs/observability/src/lib/pipeline-metrics';

const CONNECTIONS = 100;
/** Records handed in together, as a fetch hands them over (about 28 a fetch at 2,500/s). */
const BATCH = 40;
const WARMUP_ROUNDS = 2_000;
const ROUNDS = 5_000;
const REPEATS = 5;

const topics = topicNames({});
const body = Buffer.from(
  JSON.stringify({
    event: 'message_send',
    time: 1_764_201_600,
    project_id: 'project-1',
    properties: {
      message_type: 'email',
      campaign_id: 'c-1',
      profile_id: randomUUID(),
      subject: 'x'.repeat(120),
    },
  }),
);

function connection(index: number): ConnectionSnapshot {
  return {
    id: randomUUID(),
    project_id: `project-${index}`,
    name: `bench ${index}`,
    url: `http://127.0.0.1:8080/c/${index}`,
    auth_type: 'none',
    credentials: null,
    message_events: ['message_send'],
    channels: ['email'],
    subscription_events: [],
    exclude_integration_sources: false,
    require_external_message_id: false,
    use_static_ip: false,
    notify_on_error_email: null,
    active: true,
    templates: {},
    version: 1,
    updated_at: new Date().toISOString(),
  };
}

const answered: SendResult = { kind: 'response', status: 200, headers: {}, body: '', durationMs: 1 };

function buildEngine(connections: ConnectionIndex): DeliveryEngine {
  const metrics = new PipelineMetrics('delivery');
  const producer = new BatchingProducer({ send: () => Promise.resolve() });
  const sender = { send: () => Promise.resolve(answered), close: () => Promise.resolve() };
  const engine: DeliveryEngine = new DeliveryEngine({
    topics,
    connections,
    credentials: new CredentialsCache(new SecretBox(parseSecretsKey(Buffer.alloc(32, 7).toString('base64')))),
    sender: sender as unknown as WebhookSender,
    auth: new OutboundAuth({ tokens: new OAuthTokenProvider({ policy: 'allow-private', timeoutMs: 5_000 }) }),
    producer,
    schedule: new RetrySchedule(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)),
    lanes: {
      maxInFlight: 8,
      queueLimit: 200,
      breakerResetMs: 30_000,
      breakerVolumeThreshold: 5,
      breakerErrorPercentage: 50,
      breakerWindowMs: 5_000,
    },
    alerts: new FailureAlerts(3),
    metrics: new DeliveryMetrics(metrics, () => engine),
    logger: pino({ level: 'warn' }),
  });
  return engine;
}

let offset = 0;

function record(target: ConnectionSnapshot): ConsumedRecord {
  offset++;
  return {
    topic: topics.deliveries,
    partition: offset % 8,
    offset: String(offset),
    key: Buffer.from(target.id),
    value: body,
    headers: {
      [DELIVERY_HEADERS.deliveryId]: randomUUID(),
      [DELIVERY_HEADERS.connectionId]: target.id,
      [DELIVERY_HEADERS.projectId]: target.project_id,
      [DELIVERY_HEADERS.event]: 'message_send',
      [DELIVERY_HEADERS.attempt]: '1',
    },
    timestamp: Date.now(),
  };
}

async function rounds(engine: DeliveryEngine, targets: ConnectionSnapshot[], count: number): Promise<void> {
  for (let round = 0; round < count; round++) {
    const batch: ConsumedRecord[] = [];
    for (let index = 0; index < BATCH; index++)
      batch.push(record(targets[(round * BATCH + index) % CONNECTIONS]));
    await Promise.all(batch.map((each) => engine.handle(each)));
  }
}

interface SampledNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampledNode[];
}

/** Bytes allocated during `work`, collected or not, in all and by allocating function. */
async function sampleAllocations(
  work: () => Promise<void>,
): Promise<{ total: number; byFunction: Map<string, number> }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4_096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await work();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SampledNode } };
  session.disconnect();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const stack = [profile.head]; stack.length > 0; ) {
    const node = stack.pop() as SampledNode;
    const { functionName, url, lineNumber } = node.callFrame;
    const where =
      url.split('node_modules/')[1]?.split('/')[0] ?? url.replace(/.*\/(apps|libs|test)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${where || '(V8)'}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    stack.push(...node.children);
  }
  return { total, byFunction };
}

async function main(): Promise<void> {
  const connections = new ConnectionIndex();
  const targets = Array.from({ length: CONNECTIONS }, (_, index) => connection(index));
  for (const target of targets) connections.upsert(target);
  const engine = buildEngine(connections);

  let gcMs = 0;
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      const { kind } = (entry as unknown as { detail?: { kind?: number } }).detail ?? {};
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  await rounds(engine, targets, WARMUP_ROUNDS);
  const records = ROUNDS * BATCH;
  const results: { cpuUs: number; gcUs: number; scavenges: number }[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    gcMs = 0;
    scavenges = 0;
    // The record's own fields are made inside the loop too; measured apart and subtracted below.
    const started = process.cpuUsage();
    await rounds(engine, targets, ROUNDS);
    const used = process.cpuUsage(started);
    await new Promise((resolve) => setImmediate(resolve));
    results.push({ cpuUs: (used.user + used.system) / records, gcUs: (gcMs * 1000) / records, scavenges });
  }
  const makingStarted = process.cpuUsage();
  for (let index = 0; index < records; index++) record(targets[index % CONNECTIONS]);
  const making = process.cpuUsage(makingStarted);
  const makingUs = (making.user + making.system) / records;
  observer.disconnect();
  const allocated = await sampleAllocations(() => rounds(engine, targets, ROUNDS));
  engine.shutdown();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`delivery engine, ${BATCH} records a round, ${records} records per repeat, ${REPEATS} repeats`);
  for (const [index, result] of results.entries()) {
    console.log(
      `  repeat ${index + 1}: ${(result.cpuUs - makingUs).toFixed(2)} µs of CPU per record ` +
        `(of which GC ${result.gcUs.toFixed(2)}; ${result.scavenges} scavenges)`,
    );
  }
  console.log(
    `median: ${(median(results.map((result) => result.cpuUs)) - makingUs).toFixed(2)} µs per record ` +
      `(making the test records, subtracted: ${makingUs.toFixed(2)} µs)`,
  );
  console.log(
    `allocated: ${Math.round(allocated.total / records)} bytes per record, test records included; by function:`,
  );
  const largest = [...allocated.byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [where, bytes] of largest)
    console.log(`  ${String(Math.round(bytes / records)).padStart(6)} B  ${where}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
