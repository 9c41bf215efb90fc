/**
 * Token buckets by caller: each holds up to `burst` requests and refills at `perSecond`. Idle
 * buckets are full, so forgetting them changes nothing; they are dropped once there are many.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxBuckets = 10_000,
  ) {}

  /** 0 when the caller may go ahead (and is charged one request), else the seconds to wait. */
  take(caller: string): number {
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (!this.buckets.has(caller)) {
      if (this.buckets.size >= this.maxBuckets) this.forgetIdle(now);
      this.buckets.set(caller, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }

  private forgetIdle(now: number): void {
    const refillMs = (this.burst / this.perSecond) * 1000;
    for (const [caller, { at }] of this.buckets) if (now - at >= refillMs) this.buckets.delete(caller);
  }
}
