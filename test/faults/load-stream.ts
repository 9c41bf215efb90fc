import type { OpenLoopGenerator } from '../bench/open-loop-generator';

/** Sequence numbers [fromSeq, toSeq) of the events a scenario published, and the receiver phases they carry. */
export interface SeqRange {
  fromSeq: number;
  toSeq: number;
  phases: number[];
}

/** No scenario publishes longer than this, whatever happens to the stop request. */
const LONGEST_STREAM_S = 300;

/**
 * The open-loop generator running in the background until told to stop, so a scenario can
 * inject its fault mid-stream. Each stream is one receiver phase.
 */
export class LoadStream {
  private stopRequested = false;
  private readonly running: Promise<unknown>;

  constructor(
    generator: OpenLoopGenerator,
    readonly phase: number,
    rate: number,
    maxS = LONGEST_STREAM_S,
  ) {
    this.running = generator.run(phase, rate, maxS, () => this.stopRequested);
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.running;
  }
}

/** Phase numbers for the receiver, one per stream, never reused in a run. */
export class PhaseCounter {
  private next = 0;

  take(): number {
    return this.next++;
  }
}

/**
 * Runs `body` while events are published at `rate`, in one or more streams (`body` may start
 * further ones, each a phase of its own), and stops publishing afterwards, also on error. No
 * stream outlasts `maxS`.
 */
export async function underLoad(
  generator: OpenLoopGenerator,
  phases: PhaseCounter,
  rate: number,
  body: (streams: { current: LoadStream; next(): Promise<LoadStream> }) => Promise<void>,
  maxS = LONGEST_STREAM_S,
): Promise<SeqRange> {
  const fromSeq = generator.sequenced;
  const used: number[] = [];
  const begin = () => {
    const stream = new LoadStream(generator, phases.take(), rate, maxS);
    used.push(stream.phase);
    return stream;
  };
  const streams = {
    current: begin(),
    async next() {
      await streams.current.stop();
      streams.current = begin();
      return streams.current;
    },
  };
  try {
    await body(streams);
  } finally {
    await streams.current.stop();
  }
  return { fromSeq, toSeq: generator.sequenced, phases: used };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
