import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Histogram, type HistogramSnapshot } from './histogram';
import type { GeneratorRun, LoadGenerator, UnpublishedRange } from './open-loop-generator';

export interface GeneratorSettings {
  brokers: string[];
  topic: string;
  projects: number;
  tickMs: number;
  /** The receiver's performance.timeOrigin: the stamps' t0 are on the receiver's clock. */
  receiverTimeOrigin: number;
  /** One Int32: the events sequenced so far, kept current by the worker. */
  sequenced: SharedArrayBuffer;
}

export type GeneratorCommand =
  | { type: 'run'; phase: number; rate: number; durationS: number }
  | { type: 'stop' }
  | { type: 'close' };

export type GeneratorReply =
  | { type: 'ready'; tid: number }
  | { type: 'log'; line: string }
  | {
      type: 'ran';
      run: Omit<GeneratorRun, 'sendDelay'> & { sendDelay: HistogramSnapshot };
      sequenced: number;
      unpublished: UnpublishedRange[];
    }
  | { type: 'failed'; error: string };

/** How often a run's stop condition is checked here for the worker. */
const STOP_CHECK_MS = 20;

/**
 * The open-loop generator on a worker thread, so the receiver on this thread stamps arrivals
 * without waiting behind the generator's encoding and producing. Its thread's CPU is sampled
 * apart from the rest of the process (`tid`).
 */
export class GeneratorThread implements LoadGenerator {
  private readonly worker: Worker;
  private readonly sequencedView: Int32Array;
  private finalUnpublished: UnpublishedRange[] = [];
  private pending: ((reply: GeneratorReply) => void) | undefined;
  /** The worker's thread id (a task of this process under /proc). */
  tid = 0;

  private constructor(settings: GeneratorSettings, log: (line: string) => void) {
    this.sequencedView = new Int32Array(settings.sequenced);
    this.worker = new Worker(join(__dirname, 'generator-worker.ts'), {
      workerData: settings,
      // The harness runs under tsx; a worker needs its loader again, and the CommonJS one loads a .ts entry.
      execArgv: ['--require', 'tsx/cjs'],
    });
    this.worker.on('message', (reply: GeneratorReply) => {
      if (reply.type === 'log') return log(reply.line);
      const pending = this.pending;
      this.pending = undefined;
      pending?.(reply);
    });
    this.worker.on('error', (error) => this.pending?.({ type: 'failed', error: String(error.stack) }));
  }

  static async start(
    settings: Omit<GeneratorSettings, 'receiverTimeOrigin' | 'sequenced'>,
    log: (line: string) => void,
  ): Promise<GeneratorThread> {
    const thread = new GeneratorThread(
      {
        ...settings,
        receiverTimeOrigin: performance.timeOrigin,
        sequenced: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
      },
      log,
    );
    const reply = await thread.next();
    if (reply.type !== 'ready') throw new Error(`the generator thread did not start: ${describe(reply)}`);
    thread.tid = reply.tid;
    return thread;
  }

  /** Sequence numbers handed out so far (the next event's), as of the worker's last update. */
  get sequenced(): number {
    return Atomics.load(this.sequencedView, 0);
  }

  /** Events the broker refused for good, as of the last finished run. */
  get unpublished(): UnpublishedRange[] {
    return this.finalUnpublished;
  }

  async run(
    phase: number,
    rate: number,
    durationS: number,
    shouldStop: () => boolean = () => false,
  ): Promise<GeneratorRun> {
    const replied = this.next();
    this.post({ type: 'run', phase, rate, durationS });
    const stopCheck = setInterval(() => {
      if (shouldStop()) this.post({ type: 'stop' });
    }, STOP_CHECK_MS);
    try {
      const reply = await replied;
      if (reply.type !== 'ran') throw new Error(`the generator thread failed: ${describe(reply)}`);
      this.finalUnpublished = reply.unpublished;
      return { ...reply.run, sendDelay: Histogram.from(reply.run.sendDelay) };
    } finally {
      clearInterval(stopCheck);
    }
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.post({ type: 'close' });
    const timer = setTimeout(() => void this.worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private post(command: GeneratorCommand): void {
    this.worker.postMessage(command);
  }

  private next(): Promise<GeneratorReply> {
    return new Promise((resolve) => (this.pending = resolve));
  }
}

function describe(reply: GeneratorReply): string {
  return reply.type === 'failed' ? reply.error : reply.type;
}
