import type { Producer } from 'kafkajs';
import { messageEvent } from './bench-event';
import { Histogram } from './histogram';

export interface GeneratorRun {
  published: number;
  /** Produce requests sent: the broker's cost follows this as much as the event count. */
  requests: number;
  /** How late events left the generator after their scheduled time (µs); high means the harness fell behind. */
  sendDelay: Histogram;
  stoppedEarly: boolean;
}

/** Events whose send the broker refused for good: not published, so not expected anywhere. */
export interface UnpublishedRange {
  fromSeq: number;
  count: number;
  /** Why the produce failed, as kafkajs said. */
  error?: string;
}

/** What the phases need of a generator, on this thread or another. */
export type LoadGenerator = Pick<OpenLoopGenerator, 'run' | 'sequenced' | 'unpublished'>;

/**
 * Sends in flight at once; beyond it events wait for the next tick (and their delay is measured).
 * An idempotent producer puts one request on the wire at a time: the others wait in kafkajs.
 */
const MAX_SENDS_IN_FLIGHT = 4;
/** Keeps each request far below the broker's 1 MiB batch limit and each tick's work short. */
const MAX_EVENTS_PER_SEND = 1000;

/**
 * Publishes message events at a fixed rate, whatever the pipeline does (open loop): event k of
 * a run is scheduled at start + k / rate, and that scheduled time is what it carries, so a
 * generator or broker that falls behind shows up as latency instead of hiding it. Events due
 * are sent together every tick.
 */
export class OpenLoopGenerator {
  private nextSeq = 0;
  readonly unpublished: UnpublishedRange[] = [];

  constructor(
    private readonly producer: Pick<Producer, 'send'>,
    private readonly topic: string,
    private readonly projects: number,
    private readonly tickMs: number,
    /** Added to this thread's performance clock for the stamps: the receiver's clock, if it has another. */
    private readonly clockOffsetMs = 0,
  ) {}

  /** Sequence numbers handed out so far (the next event's). */
  get sequenced(): number {
    return this.nextSeq;
  }

  get unpublishedCount(): number {
    return this.unpublished.reduce((sum, range) => sum + range.count, 0);
  }

  async run(
    phase: number,
    rate: number,
    durationS: number,
    shouldStop: () => boolean = () => false,
  ): Promise<GeneratorRun> {
    const run: GeneratorRun = { published: 0, requests: 0, sendDelay: new Histogram(), stoppedEarly: false };
    const start = performance.now();
    const total = Math.round(rate * durationS);
    const inFlight = new Set<Promise<void>>();
    let scheduled = 0;
    while (scheduled < total) {
      if (shouldStop()) {
        run.stoppedEarly = true;
        break;
      }
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
      while (due > scheduled && inFlight.size < MAX_SENDS_IN_FLIGHT) {
        const upTo = Math.min(due, scheduled + MAX_EVENTS_PER_SEND);
        run.sendDelay.record((now - (start + (scheduled * 1000) / rate)) * 1000);
        const send = this.send(run, phase, start, rate, scheduled, upTo).finally(() => inFlight.delete(send));
        inFlight.add(send);
        scheduled = upTo;
      }
      await new Promise((resolve) => setTimeout(resolve, this.tickMs));
    }
    await Promise.all(inFlight);
    return run;
  }

  /** Events [from, upTo) of the run, in one produce request; a refused request is written off. */
  private async send(
    run: GeneratorRun,
    phase: number,
    start: number,
    rate: number,
    from: number,
    upTo: number,
  ) {
    const fromSeq = this.nextSeq;
    const messages = [];
    for (let k = from; k < upTo; k++) {
      messages.push(
        messageEvent(
          { seq: this.nextSeq++, phase, t0: this.clockOffsetMs + start + (k * 1000) / rate },
          this.projects,
        ),
      );
    }
    run.requests++;
    try {
      await this.producer.send({ topic: this.topic, messages, acks: -1 });
      run.published += upTo - from;
    } catch (error) {
      this.unpublished.push({ fromSeq, count: upTo - from, error: (error as Error).message });
    }
  }
}
