import type { BenchReceiver } from '../bench/bench-receiver';
import type { OpenLoopGenerator } from '../bench/open-loop-generator';
import { connectionOf, webhookIndex, type Topology } from '../bench/topology';
import type { SeqRange } from './load-stream';

/** What became of the webhooks a scenario's events called for, read from the receiver's ledger. */
export interface ScenarioCounts {
  /** Webhooks the broker-acknowledged events called for. */
  published: number;
  /** Of those, answered 2xx at least once. */
  delivered: number;
  missing: number;
  /** Answers 2xx beyond the first for the same webhook. */
  duplicates: number;
  /** Events whose publication the broker refused (a broker outage): expected nowhere. */
  unpublishedEvents: number;
}

export interface DrainResult {
  drained: boolean;
  seconds: number;
}

export class ScenarioLedger {
  constructor(
    private readonly topology: Topology,
    private readonly receiver: BenchReceiver,
    private readonly generator: OpenLoopGenerator,
  ) {}

  count(range: SeqRange): ScenarioCounts {
    const unpublished = this.unpublishedWithin(range);
    const counts: ScenarioCounts = {
      published: 0,
      delivered: 0,
      missing: 0,
      duplicates: range.phases.reduce((sum, phase) => sum + this.receiver.duplicatesOf(phase), 0),
      unpublishedEvents: unpublished.size,
    };
    this.forEachExpected(range, unpublished, (index) => {
      counts.published++;
      if (this.receiver.delivered.has(index)) counts.delivered++;
      else counts.missing++;
    });
    return counts;
  }

  /** The first few webhooks of the range not delivered: (event sequence number, connection). */
  missingExamples(range: SeqRange, limit = 10): { seq: number; connection: number }[] {
    const examples: { seq: number; connection: number }[] = [];
    const unpublished = this.unpublishedWithin(range);
    for (let seq = range.fromSeq; seq < range.toSeq && examples.length < limit; seq++) {
      if (unpublished.has(seq)) continue;
      const connection = this.connectionOf(seq);
      if (!this.receiver.delivered.has(webhookIndex(this.topology, seq, connection)))
        examples.push({ seq, connection });
    }
    return examples;
  }

  /** Webhook-ids of the range's delivered webhooks (what the delivery log must hold). */
  deliveredIds(range: SeqRange): string[] {
    const from = webhookIndex(this.topology, range.fromSeq, 0);
    const to = webhookIndex(this.topology, range.toSeq, 0);
    return this.receiver.delivered.idsWithin(from, to);
  }

  /** Webhooks of the range for one connection: published and delivered. */
  countFor(range: SeqRange, connection: number): { published: number; delivered: number } {
    const unpublished = this.unpublishedWithin(range);
    const result = { published: 0, delivered: 0 };
    for (let seq = range.fromSeq; seq < range.toSeq; seq++) {
      if (unpublished.has(seq) || this.connectionOf(seq) !== connection) continue;
      result.published++;
      if (this.receiver.delivered.has(webhookIndex(this.topology, seq, connection))) result.delivered++;
    }
    return result;
  }

  /** Waits, up to `maxS`, until every webhook the range's events called for has been delivered. */
  async drain(range: SeqRange, maxS: number): Promise<DrainResult> {
    const started = performance.now();
    const deadline = started + maxS * 1000;
    let drained = false;
    while (!(drained = this.count(range).missing === 0) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { drained, seconds: (performance.now() - started) / 1000 };
  }

  /** The suite runs with fan-out 1: each event reaches one connection. */
  private connectionOf(seq: number): number {
    return connectionOf(this.topology, seq, 0);
  }

  private forEachExpected(range: SeqRange, unpublished: Set<number>, visit: (index: number) => void): void {
    for (let seq = range.fromSeq; seq < range.toSeq; seq++) {
      if (unpublished.has(seq)) continue;
      for (let slot = 0; slot < this.topology.fanout; slot++) visit(seq * this.topology.fanout + slot);
    }
  }

  private unpublishedWithin(range: SeqRange): Set<number> {
    const seqs = new Set<number>();
    for (const { fromSeq, count } of this.generator.unpublished) {
      for (let seq = Math.max(fromSeq, range.fromSeq); seq < Math.min(fromSeq + count, range.toSeq); seq++)
        seqs.add(seq);
    }
    return seqs;
  }
}
