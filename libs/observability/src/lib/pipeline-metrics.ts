import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay metrics sample the loop. Node's delay histogram records the
 * time between samples, so `nodejs_eventloop_lag_*` read at least this much on an idle loop;
 * the loop's own delay is what they read above it. A finer interval would cost each service
 * about 1 % of a core.
 */
export const EVENT_LOOP_SAMPLING_MS = 10;

/**
 * The registry of one service, with the metrics every stage shares. Labels stay bounded: topic
 * and reason codes, never connection, project or profile ids.
 */
export class PipelineMetrics {
  readonly registry = new Registry();

  readonly recordsConsumed = new Counter({
    name: 'webhooks_records_consumed_total',
    help: 'Records consumed, by topic.',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly recordsProduced = new Counter({
    name: 'webhooks_records_produced_total',
    help: 'Records produced and acknowledged, by topic.',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'webhooks_dead_letters_total',
    help: 'Records sent to the dead-letter topic, by source topic and reason.',
    labelNames: ['topic', 'reason'],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'webhooks_consumer_lag',
    help: "Records not yet committed by the service's consumer group, by topic and partition; none while it cannot be sampled.",
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLING_MS });
  }

  /** Hooks for the Kafka consume loop and producer. */
  readonly kafkaHooks = {
    onConsumed: (topic: string, count: number) => this.recordsConsumed.inc({ topic }, count),
    onProduced: (topic: string, count: number) => this.recordsProduced.inc({ topic }, count),
    onDeadLetter: (topic: string, reason: string) => this.deadLetters.inc({ topic, reason }),
    onLag: (_groupId: string, topic: string, partition: number, lag: number) =>
      this.consumerLag.set({ topic, partition: String(partition) }, lag),
    onLagUnknown: () => this.consumerLag.reset(),
  };
}
