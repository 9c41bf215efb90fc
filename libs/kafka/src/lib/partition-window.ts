/**
 * The records of one partition that a windowed consumer has taken on and not finished. The
 * partition may commit up to its low watermark: the lowest unfinished offset, or the offset
 * after the highest taken when nothing is unfinished. Records are taken in offset order, so the
 * first unfinished one (a Set keeps insertion order) is the lowest: finding it takes no scan of a
 * window full of retries waiting for their due time.
 */
export class PartitionWindow {
  private readonly unfinished = new Set<bigint>();
  private highestTaken = -1n;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.unfinished.size;
  }

  /** Whether the record was taken before (kafkajs re-fetches from its last resolved offset). */
  hasTaken(offset: bigint): boolean {
    return offset <= this.highestTaken;
  }

  take(offset: bigint): void {
    if (offset <= this.highestTaken) {
      throw new RangeError(`offset ${offset} taken after ${this.highestTaken}: records are taken in order`);
    }
    this.unfinished.add(offset);
    this.highestTaken = offset;
  }

  finish(offset: bigint): void {
    if (!this.unfinished.delete(offset)) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The offset to commit: everything below it is finished. */
  lowWatermark(): bigint {
    const lowest = this.unfinished.values().next();
    return lowest.done ? this.highestTaken + 1n : lowest.value;
  }

  /** Resolves at the next finish, or after `timeoutMs` (so the caller can heartbeat). */
  waitForRoom(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
