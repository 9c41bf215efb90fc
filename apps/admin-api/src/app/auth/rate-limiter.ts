/**
 * Token buckets by caller: each holds up to `burst` requests and refills at `perSecond`. Idle
 * buckets are full, so forgetting them changes nothing. At most `maxBuckets` are kept, the least
 * recently used dropped first: idle ones, then, under a flood of new callers, the oldest in use
 * (whose caller starts again with a full bucket).
 */
export class RateLimiter {
  /** In order of last use, least recent first. */
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
    this.buckets.delete(caller);
    if (this.buckets.size >= this.maxBuckets) this.forgetLeastRecent();
    this.buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }

  private forgetLeastRecent(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}
