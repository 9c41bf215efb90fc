/**
 * A log-linear histogram of non-negative integers (microseconds here), in the manner of
 * HdrHistogram: each power of two is split into 128 linear buckets, so a value is kept within
 * 1/128 (0.8 %) of itself, in constant memory (3,328 counters), up to 2^32 - 1 (71 minutes).
 */
const SUB_BITS = 7;
const SUB_COUNT = 1 << SUB_BITS;
const BUCKETS = (32 - SUB_BITS + 1) * SUB_COUNT;
const MAX_VALUE = 2 ** 32 - 1;

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface HistogramSnapshot {
  counts: Float64Array;
  total: number;
  sum: number;
  maximum: number;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private maximum = 0;

  get count(): number {
    return this.total;
  }

  record(value: number): void {
    const clamped = Math.min(MAX_VALUE, Math.max(0, Math.round(value)));
    this.counts[bucketOf(clamped)]++;
    this.total++;
    this.sum += clamped;
    if (clamped > this.maximum) this.maximum = clamped;
  }

  add(other: Histogram): void {
    for (let index = 0; index < BUCKETS; index++) this.counts[index] += other.counts[index];
    this.total += other.total;
    this.sum += other.sum;
    this.maximum = Math.max(this.maximum, other.maximum);
  }

  /** The recorded values, to rebuild the histogram in another thread. */
  snapshot(): HistogramSnapshot {
    return { counts: this.counts.slice(), total: this.total, sum: this.sum, maximum: this.maximum };
  }

  static from(snapshot: HistogramSnapshot): Histogram {
    const histogram = new Histogram();
    histogram.counts.set(snapshot.counts);
    histogram.total = snapshot.total;
    histogram.sum = snapshot.sum;
    histogram.maximum = snapshot.maximum;
    return histogram;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.maximum = 0;
  }

  /** The value at or below which `percent` of the recorded values fall (the bucket's upper end). */
  percentile(percent: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.total));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.counts[index];
      if (seen >= rank) return Math.min(upperEndOf(index), this.maximum);
    }
    return this.maximum;
  }

  summary(): Percentiles {
    return {
      count: this.total,
      p50: this.percentile(50),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.maximum,
      mean: this.total === 0 ? 0 : this.sum / this.total,
    };
  }
}

/** The same percentiles, recorded in microseconds, in milliseconds. */
export function inMilliseconds(summary: Percentiles): Percentiles {
  return {
    count: summary.count,
    p50: summary.p50 / 1000,
    p99: summary.p99 / 1000,
    p999: summary.p999 / 1000,
    max: summary.max / 1000,
    mean: summary.mean / 1000,
  };
}

function bucketOf(value: number): number {
  if (value < SUB_COUNT) return value;
  const exponent = 31 - Math.clz32(value);
  const sub = Math.floor(value / 2 ** (exponent - SUB_BITS));
  return (exponent - SUB_BITS + 1) * SUB_COUNT + (sub - SUB_COUNT);
}

function upperEndOf(bucket: number): number {
  if (bucket < SUB_COUNT) return bucket;
  const exponent = Math.floor(bucket / SUB_COUNT) + SUB_BITS - 1;
  const sub = (bucket % SUB_COUNT) + SUB_COUNT;
  return (sub + 1) * 2 ** (exponent - SUB_BITS) - 1;
}
