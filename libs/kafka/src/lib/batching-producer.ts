import type { RecordProducer } from './record-producer';
import type { OutgoingRecord } from './records';

interface Pending {
  records: readonly OutgoingRecord[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers records from many concurrent callers into few produce requests: each caller's
 * promise resolves once the request carrying its records is acknowledged. Requests go one at a
 * time, in order, so one caller's records keep their order.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(
    private readonly producer: RecordProducer,
    private readonly lingerMs = 2,
    private readonly maxRecords = 2000,
  ) {}

  send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.queuedRecords += records.length;
      if (this.queuedRecords >= this.maxRecords) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.lingerMs);
    });
  }

  private async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
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
