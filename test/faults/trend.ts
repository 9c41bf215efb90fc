/** A series of (seconds, value) samples. */
export type Series = { at: number; value: number }[];

/** Least-squares slope of the series, in value per second (0 for fewer than two samples). */
export function slopePerSecond(series: Series): number {
  const n = series.length;
  if (n < 2) return 0;
  const meanAt = series.reduce((sum, { at }) => sum + at, 0) / n;
  const meanValue = series.reduce((sum, { value }) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { at, value } of series) {
    covariance += (at - meanAt) * (value - meanValue);
    variance += (at - meanAt) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The samples with `from <= at < to`. */
export function within(series: Series, from: number, to: number): Series {
  return series.filter(({ at }) => at >= from && at < to);
}
