/**
 * A preload for a service under the benchmark: samples what the service allocates, collected or
 * not, over a window of its run, and writes a `.heapprofile` (Chrome DevTools opens it; so does
 * `node test/bench/allocation-report.mjs`). A service stops by re-raising SIGTERM, so nothing can
 * be written at exit: the window is set in advance.
 *
 *   npm run bench -- --env delivery:NODE_OPTIONS=--require=./test/bench/allocation-sampler.cjs \
 *     --env delivery:ALLOCATION_SAMPLE_AFTER_MS=58000 --env delivery:ALLOCATION_SAMPLE_FOR_MS=20000 ...
 *
 * writes `allocations-<pid>.heapprofile` in the system's temporary directory and names it in the
 * service's log.
 */
const { writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const afterMs = Number(process.env.ALLOCATION_SAMPLE_AFTER_MS ?? 60_000);
const forMs = Number(process.env.ALLOCATION_SAMPLE_FOR_MS ?? 20_000);
const session = new Session();
session.connect();

setTimeout(() => {
  const options = {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  };
  session.post('HeapProfiler.startSampling', options, (error) => {
    if (error) return console.error(`allocation sampler: ${error.message}`);
    setTimeout(() => {
      session.post('HeapProfiler.stopSampling', (stopError, result) => {
        if (stopError) return console.error(`allocation sampler: ${stopError.message}`);
        const file = join(tmpdir(), `allocations-${process.pid}.heapprofile`);
        writeFileSync(file, JSON.stringify(result.profile));
        console.error(`allocation sampler: wrote ${file}`);
      });
    }, forMs).unref();
  });
}, afterMs).unref();
