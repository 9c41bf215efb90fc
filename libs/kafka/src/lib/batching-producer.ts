import type { RecordSink } from './batch-consumer';
import type { OutgoingRecord } from './records';

interface Pending {
  records: readonly OutgoingRecord[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers records from many concurrent callers into few produce requests: each caller's
 * promise resolves once the request carrying its records is acknowledged. Requests go one at a
 * time, in order, so one caller's records keep their order, and records sent while a request is
 * in flight share the next one.
 *
 * A record waits `lingerMs` for company before its request goes. With 0 it waits only for the
 * rest of the event loop's turn: the batches of one fetch, handled together, still share a
 * request, and no record waits on a timer.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private cancelScheduledFlush: (() => void) | undefined;
  private flushing = false;

  constructor(
    private readonly producer: RecordSink,
    private readonly lingerMs = 0,
    private readonly maxRecords = 2000,
  ) {}

  send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.queuedRecords += records.length;
      if (this.queuedRecords >= this.maxRecords) void this.flush();
      else this.cancelScheduledFlush ??= this.scheduleFlush();
    });
  }

  private scheduleFlush(): () => void {
    const flush = () => void this.flush();
    if (this.lingerMs > 0) {
      const timer = setTimeout(flush, this.lingerMs);
      return () => clearTimeout(timer);
    }
    const immediate = setImmediate(flush);
    return () => clearImmediate(immediate);
  }

  private async flush(): Promise<void> {
    this.cancelScheduledFlush?.();
    this.cancelScheduledFlush = undefined;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue;
    this.queue = [];
    this.queuedRecords = 0;
    try {
      await this.producer.send(batch.flatMap((pending) => pending.records));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) void this.flush();
    }
  }
}
