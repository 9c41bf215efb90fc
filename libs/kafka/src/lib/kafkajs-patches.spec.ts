/**
 * The installed kafkajs carries the fixes of scripts/patch-dependencies.mjs (applied by npm
 * install's postinstall step; run it by hand after installing with --ignore-scripts).
 */

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
}

/** kafkajs's internal request queue, loaded by path: kafkajs declares no exports map. */
const RequestQueueClass: new (options: object) => RequestQueue = require('kafkajs/src/network/requestQueue');

/** A real kafkajs request queue, as each broker connection holds one. */
function requestQueue(): RequestQueue {
  const quiet = { debug: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueueClass({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: quiet,
  });
}

function fetchRequest(correlationId: number, sendRequest: () => void) {
  const entry = {
    correlationId,
    apiKey: 1,
    apiName: 'Fetch',
    apiVersion: 11,
    resolve: () => undefined,
    reject: () => undefined,
  };
  return { entry, expectResponse: true, sendRequest };
}

const notPatched = 'kafkajs is not patched: run `node scripts/patch-dependencies.mjs`';

describe('kafkajs as installed', () => {
  afterEach(() => jest.useRealTimers());

  it('arms no timer once a response leaves no request waiting', () => {
    const queue = requestQueue();
    queue.push(fetchRequest(1, () => undefined));
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    // Unpatched, a 1 ms timer is armed here and re-arms itself for ever: stop it before it runs.
    if (queue.throttleCheckTimeoutId) clearTimeout(queue.throttleCheckTimeoutId);
    expect({ timerArmed: queue.throttleCheckTimeoutId !== null, hint: notPatched }).toEqual({
      timerArmed: false,
      hint: notPatched,
    });
  });

  it('still sends a request held back by broker throttling once the throttle ends', () => {
    jest.useFakeTimers();
    const queue = requestQueue();
    queue.throttledUntil = Date.now() + 50;
    const sent = jest.fn();
    queue.push(fetchRequest(1, sent));
    expect(queue.pending).toHaveLength(1);
    jest.advanceTimersByTime(49);
    expect(sent).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(queue.pending).toHaveLength(0);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});
