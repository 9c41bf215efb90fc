/**
 * npm run bench:delivery: the CPU delivery's own code spends on one record, with no broker and
 * no network: the engine as the service builds it (header validation, the connection's lane and
 * breaker, outbound auth, the outcome record, alerts, metrics), handed batches of records as a
 * fetch does, against a sender that answers 200 at once and a producer that acknowledges at
 * once. It isolates what `npm run bench` measures together with undici, kafkajs and the broker
 * in delivery's CPU per webhook. A last repeat runs under V8's sampling heap profiler, summed by
 * allocation-report.mjs: the bytes allocated per record, collected or not, by package and
 * function. See docs/performance.md.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import { ConnectionIndex } from '@campaign-webhooks/connections';
import {
  connectionSnapshot,
  DELIVERY_HEADERS,
  topicNames,
  type ConnectionSnapshot,
} from '@campaign-webhooks/contracts';
import type { SendResult, WebhookSender } from '@campaign-webhooks/http-delivery';
import { BatchingProducer, type ConsumedRecord } from '@campaign-webhooks/kafka';
import { PipelineMetrics } from '@campaign-webhooks/observability';
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
  return connectionSnapshot({
    id: randomUUID(),
    project_id: `project-${index}`,
    name: `bench ${index}`,
    url: `http://127.0.0.1:8080/c/${index}`,
  });
}

const answered: SendResult = { kind: 'response', status: 200, headers: {}, body: '', durationMs: 1 };

function buildEngine(connections: ConnectionFeed): DeliveryEngine {
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

function record(target: ConnectionSnapshot, offset: number): ConsumedRecord {
  return {
    topic: topics.deliveries,
    partition: offset % 8,
    offset: String(offset),
    key: Buffer.from(target.id),
    value: body,
    headers: {
      [DELIVERY_HEADERS.deliveryId]: randomUUID(),
      [DELIVERY_HEADERS.connectionId]: target.id,
      [DELIVERY_HEADERS.connectionVersion]: String(target.version),
      [DELIVERY_HEADERS.projectId]: target.project_id,
      [DELIVERY_HEADERS.event]: 'message_send',
      [DELIVERY_HEADERS.attempt]: '1',
    },
    timestamp: Date.now(),
  };
}

/**
 * Batches made once and handed in again and again, so that neither the CPU nor the allocations
 * measured include making them. The engine reads a record and never changes it.
 */
function batchesFor(targets: ConnectionSnapshot[]): ConsumedRecord[][] {
  return Array.from({ length: CONNECTIONS }, (_, round) =>
    Array.from({ length: BATCH }, (_, index) => {
      const offset = round * BATCH + index;
      return record(targets[offset % CONNECTIONS], offset);
    }),
  );
}

async function rounds(engine: DeliveryEngine, batches: ConsumedRecord[][], count: number): Promise<void> {
  for (let round = 0; round < count; round++) {
    await Promise.all(batches[round % batches.length].map((each) => engine.handle(each)));
  }
}

/** Writes a heap profile of what `work` allocates, collected or not, and returns its path. */
async function sampleAllocations(work: () => Promise<void>): Promise<string> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4_096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await work();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const file = join(tmpdir(), `delivery-engine-${process.pid}.heapprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

async function main(): Promise<void> {
  const connections = new ConnectionIndex();
  const targets = Array.from({ length: CONNECTIONS }, (_, index) => connection(index));
  for (const target of targets) connections.upsert(target);
  const engine = buildEngine(new ConnectionFeed(connections, { catchUp: () => Promise.resolve(true) }));
  const batches = batchesFor(targets);

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

  await rounds(engine, batches, WARMUP_ROUNDS);
  const records = ROUNDS * BATCH;
  const results: { cpuUs: number; gcUs: number; scavenges: number }[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    gcMs = 0;
    scavenges = 0;
    const started = process.cpuUsage();
    await rounds(engine, batches, ROUNDS);
    const used = process.cpuUsage(started);
    await new Promise((resolve) => setImmediate(resolve));
    results.push({ cpuUs: (used.user + used.system) / records, gcUs: (gcMs * 1000) / records, scavenges });
  }
  observer.disconnect();
  const profile = await sampleAllocations(() => rounds(engine, batches, ROUNDS));
  engine.shutdown();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`delivery engine, ${BATCH} records a round, ${records} records per repeat, ${REPEATS} repeats`);
  for (const [index, result] of results.entries()) {
    console.log(
      `  repeat ${index + 1}: ${result.cpuUs.toFixed(2)} µs of CPU per record ` +
        `(of which GC ${result.gcUs.toFixed(2)}; ${result.scavenges} scavenges)`,
    );
  }
  console.log(`median: ${median(results.map((result) => result.cpuUs)).toFixed(2)} µs per record\n`);
  console.log(`allocations in one more repeat, under the sampling heap profiler (${profile}):`);
  execFileSync(process.execPath, [join(__dirname, 'allocation-report.mjs'), profile, String(records)], {
    stdio: 'inherit',
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
