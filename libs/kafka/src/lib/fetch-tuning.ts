/**
 * How long a consumer's fetch waits for how much data. With `minBytes` 1 a fetch returns as soon
 * as any record is there, which under a steady stream means many small fetches; a larger
 * `minBytes` gathers more records per fetch at the cost of up to `maxWaitMs` of latency per hop
 * when traffic is light.
 */
export interface FetchTuning {
  minBytes: number;
  maxWaitMs: number;
}

const DEFAULT_FETCH: FetchTuning = { minBytes: 1, maxWaitMs: 1_000 };

/** The kafkajs consumer options for `fetch` (the defaults when none is given). */
export function kafkaFetchOptions(fetch: FetchTuning = DEFAULT_FETCH): {
  minBytes: number;
  maxWaitTimeInMs: number;
} {
  return { minBytes: fetch.minBytes, maxWaitTimeInMs: fetch.maxWaitMs };
}
