import type { Admin, Kafka } from 'kafkajs';
import type { BenchReceiver, DuplicateExample } from '../bench/bench-receiver';
import type { OpenLoopGenerator } from '../bench/open-loop-generator';
import type { Topology } from '../bench/topology';
import type { PhaseCounter, SeqRange } from './load-stream';
import type { FaultOptions, ScenarioName } from './options';
import type { DrainResult, ScenarioCounts, ScenarioLedger } from './scenario-ledger';
import type { ServiceSet } from './service-set';

export interface FaultContext {
  options: FaultOptions;
  /** What the stack scripts need to stop and start the broker or PostgreSQL of this stack. */
  stackEnv: Record<string, string>;
  services: ServiceSet;
  receiver: BenchReceiver;
  topology: Topology;
  generator: OpenLoopGenerator;
  phases: PhaseCounter;
  ledger: ScenarioLedger;
  kafka: Kafka;
  admin: Admin;
  /** The connection whose endpoint flaps in the flapping-endpoint scenario. */
  flappingConnection: number;
  log(line: string): void;
}

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

/** What a scenario measured besides the ledger: labelled figures and its own checks. */
export interface ScenarioOutcome {
  range: SeqRange;
  drain: DrainResult;
  figures: Record<string, number | string>;
  checks: Check[];
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** Duplicates fail the scenario (a clean stop must not re-deliver). */
  strictDuplicates: boolean;
  run(context: FaultContext): Promise<ScenarioOutcome>;
}

export interface ScenarioResult extends Partial<ScenarioOutcome> {
  name: ScenarioName;
  title: string;
  strictDuplicates: boolean;
  counts?: ScenarioCounts;
  /** Re-deliveries that came with another webhook-id than the first delivery (must be 0). */
  webhookIdMismatches?: number;
  missingExamples?: { seq: number; connection: number }[];
  /** The first duplicates that arrived while the scenario ran (seconds after the first delivery, webhook-id). */
  duplicateExamples?: DuplicateExample[];
  seconds: number;
  error?: string;
  passed: boolean;
}

export function check(name: string, passed: boolean, detail = ''): Check {
  return { name, passed, detail };
}

export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
