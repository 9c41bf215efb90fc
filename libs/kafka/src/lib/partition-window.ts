/**
 * The records of one partition that a windowed consumer has taken on and not finished. The
 * partition may commit up to its low watermark: the lowest unfinished offset, or the offset
 * after the highest taken when nothing is unfinished.
 */
export class PartitionWindow {
  private readonly unfinished = new Set<bigint>();
  private lowest: bigint | undefined;
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
    this.unfinished.add(offset);
    if (offset > this.highestTaken) this.highestTaken = offset;
    if (this.lowest === undefined || offset < this.lowest) this.lowest = offset;
  }

  finish(offset: bigint): void {
    if (!this.unfinished.delete(offset)) return;
    if (offset === this.lowest) this.lowest = this.findLowest();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The offset to commit: everything below it is finished. */
  lowWatermark(): bigint {
    return this.lowest ?? this.highestTaken + 1n;
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

  private findLowest(): bigint | undefined {
    let lowest: bigint | undefined;
    for (const offset of this.unfinished) if (lowest === undefined || offset < lowest) lowest = offset;
    return lowest;
  }
}
