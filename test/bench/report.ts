import type { HttpCeiling } from './ceiling-http';
import type { KafkaCeiling } from './ceiling-kafka';
import { HOPS } from './hop-latency';
import type { Ledger } from './ledger';
import type { BenchOptions } from './options';
import type { PhaseResult } from './phase-runner';
import type { ServiceStop } from './service-processes';
import type { TimelinePoint } from './timeline-monitor';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: { cpus: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  /** The broker settings deploy/local/kafka.sh took from the environment instead of its own. */
  brokerOverrides: Record<string, string>;
  ceilings: { http: HttpCeiling[]; kafka?: KafkaCeiling };
  phases: PhaseResult[];
  /** The highest-rate phase (steady or ramp) that held, and what it delivered. */
  sustained?: { phase: string; eventsPerS: number; webhooksPerS: number };
  ratios?: {
    ofHttpCeiling?: number;
    ofKafkaProduce?: number;
    ofKafkaConsume?: number;
    /** CPU per webhook of every process at the sustained phase, over the floor below. */
    cpuOfFloor?: number;
  };
  floor?: CeilingFloor;
  fault?: {
    phase: string;
    baseline: string;
    /** A baseline that did not hold makes the ratios hard to read. */
    baselineHeld: boolean;
    healthyThroughputRatio: number;
    healthyP99Ratio: number;
    /**
     * The fault phase's healthy p99 over the lead-in's, at the same rate just before: near 1 when
     * what the ratio above finds was there before the faults.
     */
    leadInP99Ratio?: number;
  };
  ledger?: Ledger;
  /** How each service answered SIGTERM at the end (a graceful drain should take seconds). */
  serviceStops?: ServiceStop[];
  /** Why the run stopped before its end, when it did. */
  error?: string;
  timeline: TimelinePoint[];
}

/**
 * What the raw parts alone cost per webhook, with nothing of the services' own work: each webhook
 * is produced to and consumed from the topics it crosses (input, matched, deliveries, outcomes,
 * which the delivery log reads; the input once per event)
 * and sent once over HTTP. Kafka at the ceiling's batch size is the best case the services can reach.
 */
export interface CeilingFloor {
  producesPerWebhook: number;
  consumesPerWebhook: number;
  cpuUsPerWebhook: number;
  /** The same without the harness's own work: the generator's producing and the receiver. */
  servicesCpuUsPerWebhook: number;
  /** The most webhooks a second the machine's cores could give at that cost. */
  webhooksPerSBound: number;
}

const BROKER_SETTINGS = ['KAFKA_EXTRA_PROPERTIES', 'KAFKA_JVM_OPTS', 'KAFKA_HEAP'];

export function brokerOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    BROKER_SETTINGS.filter((key) => env[key]).map((key) => [key, env[key] as string]),
  );
}

export function ceilingFloor(
  http: HttpCeiling | undefined,
  kafka: KafkaCeiling | undefined,
  fanout: number,
  cores: number,
): CeilingFloor | undefined {
  if (!http || !kafka) return undefined;
  const producesPerWebhook = 3 + 1 / fanout;
  const consumesPerWebhook = 3 + 1 / fanout;
  const { produce, consume } = kafka;
  const cpuUsPerWebhook =
    producesPerWebhook * (produce.harnessCpuUsPerRecord + produce.brokerCpuUsPerRecord) +
    consumesPerWebhook * (consume.harnessCpuUsPerRecord + consume.brokerCpuUsPerRecord) +
    http.clientCpuUsPerRequest +
    http.receiverCpuUsPerRequest;
  const servicesCpuUsPerWebhook =
    cpuUsPerWebhook - produce.harnessCpuUsPerRecord / fanout - http.receiverCpuUsPerRequest;
  return {
    producesPerWebhook,
    consumesPerWebhook,
    cpuUsPerWebhook,
    servicesCpuUsPerWebhook,
    webhooksPerSBound: (cores * 1e6) / cpuUsPerWebhook,
  };
}

export function summarise(report: BenchReport): {
  sustained?: BenchReport['sustained'];
  ratios?: BenchReport['ratios'];
  floor?: CeilingFloor;
  fault?: BenchReport['fault'];
} {
  const held = report.phases.filter(
    (phase) => (phase.kind === 'steady' || phase.kind === 'ramp') && phase.held,
  );
  const best = held.sort((a, b) => b.deliveredPerS - a.deliveredPerS)[0];
  const sustained = best
    ? { phase: best.name, eventsPerS: best.publishedPerS, webhooksPerS: best.deliveredPerS }
    : undefined;
  const sender =
    report.ceilings.http.find((ceiling) => ceiling.client === 'sender') ?? report.ceilings.http[0];
  const kafka = report.ceilings.kafka;
  const floor = ceilingFloor(sender, kafka, report.options.fanout, report.machine.cpus);
  const ratios = sustained
    ? {
        ofHttpCeiling: sender ? sustained.webhooksPerS / sender.requestsPerS : undefined,
        ofKafkaProduce: kafka ? sustained.webhooksPerS / kafka.produce.recordsPerS : undefined,
        ofKafkaConsume: kafka ? sustained.webhooksPerS / kafka.consume.recordsPerS : undefined,
        cpuOfFloor: floor ? totalCpuUsPerWebhook(best) / floor.cpuUsPerWebhook : undefined,
      }
    : undefined;
  const faultPhase = report.phases.find((phase) => phase.kind === 'fault');
  let fault: BenchReport['fault'];
  if (faultPhase) {
    const steady = report.phases.filter((phase) => phase.kind === 'steady');
    const baseline = steady.sort(
      (a, b) =>
        Math.abs(a.targetRate - faultPhase.targetRate) - Math.abs(b.targetRate - faultPhase.targetRate),
    )[0];
    const leadIn = report.phases.find((phase) => phase.kind === 'lead-in');
    if (baseline && faultPhase.latencyMs && baseline.latencyMs) {
      fault = {
        phase: faultPhase.name,
        baseline: baseline.name,
        baselineHeld: baseline.held,
        healthyThroughputRatio: faultPhase.deliveredHealthyPerS / baseline.deliveredHealthyPerS,
        healthyP99Ratio: faultPhase.latencyMs.healthy.p99 / baseline.latencyMs.healthy.p99,
        leadInP99Ratio: leadIn?.latencyMs
          ? faultPhase.latencyMs.healthy.p99 / leadIn.latencyMs.healthy.p99
          : undefined,
      };
    }
  }
  return { sustained, ratios, floor, fault };
}

const totalCpuUsPerWebhook = (phase: PhaseResult) =>
  Object.values(phase.cpu).reduce((sum, cpu) => sum + cpu.usPerWebhook, 0);

const fixed = (value: number | undefined, digits = 0) =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
const pad = (text: string, width: number) => text.padStart(width);
const mib = (bytes: number | undefined) =>
  bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(0)} MiB`;

/** The readable summary printed at the end and written beside the JSON. */
export function summaryText(report: BenchReport): string {
  const lines: string[] = [];
  const noisy = report.phases.some((phase) => phase.otherCores > 0.2);
  lines.push(
    `campaign-webhooks benchmark, ${report.startedAt}${report.options.short ? ' (short mode)' : ''}`,
  );
  lines.push(
    `machine: ${report.machine.cpus} cores, node ${report.machine.node}, load average ${report.machine.loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')} at start`,
  );
  if (noisy)
    lines.push(
      'NOISY: other work used the machine during the run (see "other cores"); treat figures as rough.',
    );
  const o = report.options;
  lines.push(
    `setup: ${o.connections} connections, fan-out ${o.fanout}, ${o.partitions} partitions, ${o.receiverPorts} receiver ports` +
      (o.env.length
        ? `, env ${o.env.map((e) => `${e.service ? `${e.service}:` : ''}${e.key}=${e.value}`).join(' ')}`
        : '') +
      (o.nodeFlags.length
        ? `, node flags ${o.nodeFlags.map((f) => `${f.service ? `${f.service}:` : ''}${f.flag}`).join(' ')}`
        : '') +
      Object.entries(report.brokerOverrides)
        .map(([key, value]) => `, broker ${key}="${value}"`)
        .join(''),
  );
  if (report.error) lines.push(`RUN STOPPED EARLY: ${report.error}`);

  if (report.ceilings.http.length || report.ceilings.kafka) lines.push('', 'raw ceilings (each part alone):');
  for (const c of report.ceilings.http) {
    lines.push(
      `  HTTP ${c.client.padEnd(7)} ${pad(fixed(c.requestsPerS), 7)} req/s at ${c.concurrency} in flight; client ${fixed(c.clientCpuUsPerRequest, 1)} µs/req, receiver ${fixed(c.receiverCpuUsPerRequest, 1)} µs/req; errors ${c.errors}; other cores ${fixed(c.otherCores, 2)}`,
    );
  }
  const k = report.ceilings.kafka;
  if (k) {
    lines.push(
      `  kafkajs produce ${pad(fixed(k.produce.recordsPerS), 7)} rec/s (batches of ${k.batchSize}, idempotent, acks=all); client ${fixed(k.produce.harnessCpuUsPerRecord, 1)} µs/rec, broker ${fixed(k.produce.brokerCpuUsPerRecord, 1)} µs/rec; other cores ${fixed(k.produce.otherCores, 2)}`,
      `  kafkajs consume ${pad(fixed(k.consume.recordsPerS), 7)} rec/s (eachBatch, no work); client ${fixed(k.consume.harnessCpuUsPerRecord, 1)} µs/rec, broker ${fixed(k.consume.brokerCpuUsPerRecord, 1)} µs/rec`,
    );
  }
  const floor = report.floor;
  if (floor) {
    lines.push(
      `  floor they set: ${fixed(floor.cpuUsPerWebhook)} µs of CPU per webhook (${fixed(floor.producesPerWebhook, 2)} produces, ${fixed(floor.consumesPerWebhook, 2)} consumes, one request and its receiver; ${fixed(floor.servicesCpuUsPerWebhook)} without the harness's generator and receiver), so at most ${fixed(floor.webhooksPerSBound)} webhooks/s on ${report.machine.cpus} cores`,
    );
  }

  lines.push('', 'phases (latency: scheduled send → first byte at the receiver, healthy cohort, ms):');
  lines.push(
    '  phase            target/s  publ/s  deliv/s    p50     p99   p99.9  lag max/end    held  other cores',
  );
  for (const p of report.phases) {
    const l = p.latencyMs?.healthy;
    lines.push(
      `  ${p.name.padEnd(15)} ${pad(String(p.targetRate * o.fanout), 9)} ${pad(fixed(p.publishedPerS), 7)} ${pad(fixed(p.deliveredPerS), 8)} ${pad(fixed(l?.p50, 1), 6)} ${pad(fixed(l?.p99, 1), 7)} ${pad(fixed(l?.p999, 1), 7)} ${pad(`${p.lag.max}/${p.lag.end}`, 12)} ${pad(p.held ? 'yes' : 'no', 7)} ${pad(fixed(p.otherCores, 2), 12)}` +
        (p.held || p.kind === 'warmup' || p.kind === 'fault' ? '' : `  (${p.heldReason})`),
    );
  }
  lines.push(
    `  generator produce requests/s: ${report.phases.map((p) => `${p.name} ${fixed(p.generatorRequestsPerS)}`).join(', ')}`,
  );
  const withHops = report.phases.filter((p) => p.hopLatencyMs);
  if (withHops.length) {
    lines.push(
      '',
      'latency by hop (scheduled send → handed on by the generator, the filter, the renderer; → first byte at the receiver), p50 / p99 ms, every cohort:',
      `  ${'phase'.padEnd(15)}${[...HOPS.map(({ hop }) => hop), 'received'].map((name) => pad(name, 20)).join('')}`,
    );
    for (const p of withHops) {
      const cells = [...HOPS.map(({ hop }) => p.hopLatencyMs?.[hop]), p.latencyMs?.all];
      lines.push(
        `  ${p.name.padEnd(15)}${cells.map((c) => pad(c ? `${fixed(c.p50, 1)} / ${fixed(c.p99, 1)}` : '-', 20)).join('')}`,
      );
    }
  }
  if (report.sustained) {
    const r = report.ratios ?? {};
    lines.push(
      '',
      `sustained: ${fixed(report.sustained.webhooksPerS)} webhooks/s (${report.sustained.phase})` +
        (r.ofHttpCeiling !== undefined
          ? `; ${fixed(100 * r.ofHttpCeiling, 1)} % of the HTTP client alone`
          : '') +
        (r.ofKafkaProduce !== undefined
          ? `, ${fixed(100 * r.ofKafkaProduce, 1)} % of kafkajs produce alone`
          : '') +
        (r.ofKafkaConsume !== undefined
          ? `, ${fixed(100 * r.ofKafkaConsume, 1)} % of kafkajs consume alone`
          : '') +
        (r.cpuOfFloor !== undefined ? `; CPU per webhook ×${fixed(r.cpuOfFloor, 2)} the floor` : ''),
    );
  } else {
    lines.push('', 'sustained: no steady or ramp phase held');
  }
  if (report.fault) {
    lines.push(
      `fault phase (${report.fault.phase} vs ${report.fault.baseline}): healthy cohort throughput ×${fixed(report.fault.healthyThroughputRatio, 2)}, p99 ×${fixed(report.fault.healthyP99Ratio, 2)}` +
        (report.fault.leadInP99Ratio === undefined
          ? ''
          : ` (×${fixed(report.fault.leadInP99Ratio, 2)} against the lead-in)`) +
        (report.fault.baselineHeld ? '' : ' (the baseline did not hold: ratios are not meaningful)'),
    );
  }

  const measured = report.phases.filter((p) => p.kind !== 'warmup');
  if (measured.length) {
    const names = Object.keys(measured[0].cpu);
    lines.push('', 'CPU µs per delivered webhook (cores used in brackets):');
    lines.push(`  ${'process'.padEnd(20)}${measured.map((p) => pad(p.name, 20)).join('')}`);
    for (const name of names) {
      lines.push(
        `  ${name.padEnd(20)}${measured.map((p) => pad(`${fixed(p.cpu[name]?.usPerWebhook, 1)} (${fixed(p.cpu[name]?.cores, 2)})`, 20)).join('')}`,
      );
    }
    const totals = measured.map(totalCpuUsPerWebhook);
    lines.push(`  ${'all of the above'.padEnd(20)}${totals.map((t) => pad(fixed(t, 1), 20)).join('')}`);
    if (names.includes('generator')) {
      const pipeline = measured.map((p, index) => totals[index] - p.cpu['generator'].usPerWebhook);
      lines.push(`  ${'all but generator'.padEnd(20)}${pipeline.map((t) => pad(fixed(t, 1), 20)).join('')}`);
    }
    lines.push(
      '',
      "event-loop delay over the whole phase, beyond the 10 ms sampling interval, p99 / max (ms; the p99 is the harness's only):",
    );
    lines.push(`  ${'process'.padEnd(20)}${measured.map((p) => pad(p.name, 20)).join('')}`);
    for (const name of Object.keys(measured[0].eventLoopPhaseMs)) {
      lines.push(
        `  ${name.padEnd(20)}${measured.map((p) => pad(`${fixed(p.eventLoopPhaseMs[name]?.p99, 1)} / ${fixed(p.eventLoopPhaseMs[name]?.max, 1)}`, 20)).join('')}`,
      );
    }
    lines.push(
      '',
      'event-loop delay p99 of each second, beyond the 10 ms sampling interval, median / max of the seconds (ms; blind to a stall under 1 % of a second):',
    );
    lines.push(`  ${'process'.padEnd(20)}${measured.map((p) => pad(p.name, 20)).join('')}`);
    for (const service of Object.keys(measured[0].eventLoopP99Ms)) {
      lines.push(
        `  ${service.padEnd(20)}${measured.map((p) => pad(`${fixed(p.eventLoopP99Ms[service]?.median, 1)} / ${fixed(p.eventLoopP99Ms[service]?.max, 1)}`, 20)).join('')}`,
      );
    }
    lines.push('', 'time collecting garbage, ms per second:');
    lines.push(`  ${'service'.padEnd(20)}${measured.map((p) => pad(p.name, 20)).join('')}`);
    for (const service of Object.keys(measured[0].gcMsPerS)) {
      lines.push(
        `  ${service.padEnd(20)}${measured.map((p) => pad(fixed(p.gcMsPerS[service], 1), 20)).join('')}`,
      );
    }
    lines.push('', 'resident memory, the highest of the once-a-second samples (MiB):');
    lines.push(`  ${'process'.padEnd(20)}${measured.map((p) => pad(p.name, 20)).join('')}`);
    for (const name of Object.keys(measured[0].phaseRssBytes)) {
      lines.push(
        `  ${name.padEnd(20)}${measured.map((p) => pad(fixed((p.phaseRssBytes[name] ?? NaN) / 1048576), 20)).join('')}`,
      );
    }
    const last = report.phases[report.phases.length - 1];
    lines.push(
      '',
      `peak RSS since start (VmHWM), at the end of the last phase: ${Object.entries(last.peakRssBytes)
        .map(([name, bytes]) => `${name} ${mib(bytes)}`)
        .join(', ')}`,
    );
  }

  if (report.serviceStops) {
    lines.push(
      '',
      `shutdown (SIGTERM to exit): ${report.serviceStops.map((s) => `${s.name} ${fixed(s.seconds, 1)} s${s.killed ? ' (killed)' : ''}`).join(', ')}`,
    );
  }
  const ledger = report.ledger;
  if (ledger) {
    lines.push(
      '',
      `ledger: published ${ledger.published} = delivered ${ledger.delivered} + retrying ${ledger.retrying} + dead-lettered ${ledger.deadLettered} + missing ${ledger.missing}` +
        `; duplicates ${ledger.duplicates}; unexpected ${ledger.unexpected}; misrouted ${ledger.misrouted}; unpublished events ${ledger.unpublishedEvents}`,
      ledger.retryOutcomesRead
        ? '  retrying: a retry still pending (no attempt recorded since the latest retry, or the latest attempt asked for another)'
        : '  retrying: every webhook ever handed to webhooks.retries (webhooks.outcomes could not be read to its end, so a lost one is not told apart)',
    );
    if (ledger.unpublishedEvents > 0) {
      lines.push(
        `WARNING: the broker refused ${ledger.unpublishedEvents} events from the generator (${ledger.unpublishedError ?? 'no error given'}); they are outside the ledger and the phases' published rates`,
      );
    }
    if (ledger.unexpected > 0) {
      lines.push(
        `WARNING: ${ledger.unexpected} webhooks answered 2xx that no published event called for (a sequence number never handed out, or an event written off as unpublished)`,
      );
    }
    if (ledger.misroutedExamples.length) {
      lines.push(
        `misrouted (not counted as delivered), first few (seq, connection that got it): ${ledger.misroutedExamples.map((m) => `(${m.seq}, ${m.connection})`).join(' ')}`,
      );
    }
    const ids = ledger.webhookIdCheck;
    lines.push(
      ids.checked
        ? `webhook-id cross-check: ${ids.distinctIds} distinct ids for ${ledger.delivered} webhooks, ${ids.mismatches} mismatches`
        : 'webhook-id cross-check: skipped (too many webhooks to keep every id)',
    );
    if (ledger.duplicateExamples.length) {
      lines.push(
        `duplicates, first few (seq, connection, cohort, seconds after the first): ${ledger.duplicateExamples.map((d) => `(${d.seq}, ${d.connection}, ${d.cohort}, ${fixed(d.secondsAfterFirst, 1)})`).join(' ')}`,
      );
    }
    for (const outcome of ledger.duplicateOutcomes) {
      lines.push(
        `  outcome of ${outcome.deliveryId}: attempt ${outcome.attempt} ${outcome.status}${outcome.httpStatus ? ` ${outcome.httpStatus}` : ''}${outcome.error ? ` (${outcome.error})` : ''}`,
      );
    }
    if (ledger.missingExamples.length) {
      lines.push(
        `missing, first few (seq, connection): ${ledger.missingExamples.map((m) => `(${m.seq}, ${m.connection})`).join(' ')}`,
      );
    }
  }
  return lines.join('\n');
}
