import { ConnectionLane, LaneRegistry } from './connection-lane';

const options = {
  maxInFlight: 1,
  queueLimit: 1,
  breakerResetMs: 1_000,
  breakerVolumeThreshold: 5,
  breakerErrorPercentage: 50,
  breakerWindowMs: 1_000,
};

describe('ConnectionLane', () => {
  let lane: ConnectionLane;
  beforeEach(() => (lane = new ConnectionLane(options)));
  afterEach(() => lane.shutdown());

  it('queues past its in-flight cap and refuses past its queue bound', async () => {
    expect(lane.tryAcquire()).toBe(true);
    const queued = lane.enqueue();
    expect(lane.enqueue()).toBeUndefined();
    lane.release(10);
    expect(await queued).toBe(true);
    expect(lane.inFlight).toBe(1);
  });

  it('hands a freed slot to the first in the queue, before a request that comes in between', async () => {
    expect(lane.tryAcquire()).toBe(true);
    const queued = lane.enqueue();
    lane.release(10);
    expect(lane.tryAcquire()).toBe(false);
    expect(await queued).toBe(true);
    expect(lane.inFlight).toBe(1);
  });

  it('takes a free slot when asked to queue, and refuses to queue once refusing', async () => {
    expect(await lane.enqueue()).toBe(true);
    expect(lane.inFlight).toBe(1);
    const queued = lane.enqueue();
    lane.breaker.open();
    expect(lane.enqueue()).toBeUndefined();
    expect(await queued).toBe(false);
  });

  it('takes a free slot at once, and without queueing refuses when full or closed', async () => {
    expect(lane.tryAcquire()).toBe(true);
    expect(lane.tryAcquire()).toBe(false);
    expect(lane.inFlight).toBe(1);
    const queued = lane.enqueue();
    lane.release(10);
    expect(await queued).toBe(true);
    lane.release(10);
    lane.close();
    expect(lane.tryAcquire()).toBe(false);
    expect(lane.inFlight).toBe(0);
  });

  it('turns away queued and new requests once closed, while the one in flight finishes', async () => {
    expect(lane.tryAcquire()).toBe(true);
    const queued = lane.enqueue();
    lane.close();
    expect(await queued).toBe(false);
    expect(lane.enqueue()).toBeUndefined();
    expect(lane.inFlight).toBe(1);
    lane.release(10);
    expect(lane.inFlight).toBe(0);
  });

  it('turns away its queue when the breaker opens, and new requests while it stays open', async () => {
    expect(lane.tryAcquire()).toBe(true);
    const queued = lane.enqueue();
    lane.breaker.open();
    expect(await queued).toBe(false);
    expect(lane.isRefusing).toBe(true);
    lane.release(10);
    expect(lane.tryAcquire()).toBe(false);
    expect(lane.enqueue()).toBeUndefined();
  });

  it('lets one trial through once half-open, and refuses the rest while it is under way', async () => {
    jest.useFakeTimers();
    const failing = new ConnectionLane({ ...options, maxInFlight: 2 });
    try {
      failing.breaker.open();
      jest.advanceTimersByTime(options.breakerResetMs);
      expect(failing.breaker.halfOpen).toBe(true);
      expect(failing.isTripped).toBe(true);
      expect(failing.isRefusing).toBe(false);
      expect(failing.tryAcquire()).toBe(true);
      let answer = () => undefined as void;
      // A request from before the breaker opened still holds the other slot: one more queues.
      expect(failing.tryAcquire()).toBe(true);
      const queued = failing.enqueue();
      const trial = failing.breaker.fire(() => new Promise<void>((resolve) => (answer = resolve)));
      expect(failing.isRefusing).toBe(true);
      expect(failing.tryAcquire()).toBe(false);
      // The slot it frees goes to no one while the trial is under way.
      failing.release(10);
      expect(await queued).toBe(false);
      answer();
      await trial;
      failing.release(10);
      expect(failing.breaker.closed).toBe(true);
      expect(failing.isTripped).toBe(false);
      expect(failing.tryAcquire()).toBe(true);
    } finally {
      failing.shutdown();
      jest.useRealTimers();
    }
  });

  it('estimates how long its queue takes to drain from how long requests have held their slots', async () => {
    const slow = new ConnectionLane({ ...options, maxInFlight: 2, queueLimit: 10 });
    try {
      expect(slow.tryAcquire() && slow.tryAcquire()).toBe(true);
      const queued = [slow.enqueue(), slow.enqueue(), slow.enqueue(), slow.enqueue()];
      // Nothing has ended yet: no pace to go by.
      expect(slow.drainEstimateMs()).toBe(0);
      slow.release(2_000);
      // Three left queued, two at a time, 2 s each.
      expect(slow.drainEstimateMs()).toBe(3_000);
      slow.release(1_000);
      // Smoothed: one short request moves the pace only part of the way.
      expect(slow.drainEstimateMs()).toBeCloseTo((2 * 1_800) / 2);
      slow.close();
      expect(await Promise.all(queued)).toEqual([true, true, false, false]);
    } finally {
      slow.shutdown();
    }
  });

  it('opens once failures outnumber the successes still in its window', async () => {
    jest.useFakeTimers();
    const counted = new ConnectionLane(options);
    try {
      const fire = (ok: boolean) =>
        counted.breaker
          .fire(() => (ok ? Promise.resolve() : Promise.reject(new Error('503'))))
          .catch(() => undefined);
      for (let i = 0; i < 20; i++) await fire(true);
      for (let i = 0; i < 10; i++) await fire(false);
      expect(counted.isOpen).toBe(false);
      // The successes leave the window; the next failure finds mostly failures in it.
      jest.advanceTimersByTime(options.breakerWindowMs);
      for (let i = 0; i < 5; i++) await fire(false);
      expect(counted.isOpen).toBe(true);
    } finally {
      counted.shutdown();
      jest.useRealTimers();
    }
  });
});

describe('LaneRegistry', () => {
  const idleMs = 60_000;
  let registry: LaneRegistry;
  beforeEach(() => {
    jest.useFakeTimers();
    registry = new LaneRegistry(idleMs);
  });
  afterEach(() => {
    registry.shutdown();
    jest.useRealTimers();
  });

  it('keeps one lane per connection and drops those unused for the idle time', async () => {
    const quiet = registry.get('c-quiet', () => new ConnectionLane(options));
    expect(registry.get('c-quiet', () => new ConnectionLane(options))).toBe(quiet);
    const busy = registry.get('c-busy', () => new ConnectionLane(options));
    expect(busy.tryAcquire()).toBe(true);

    jest.advanceTimersByTime(idleMs - 1);
    registry.evictIdle();
    expect(registry.size).toBe(2);
    jest.advanceTimersByTime(1);
    registry.evictIdle();
    expect(registry.size).toBe(1);
    expect(registry.get('c-busy', () => new ConnectionLane(options))).toBe(busy);
    expect(registry.get('c-quiet', () => new ConnectionLane(options))).not.toBe(quiet);

    busy.release(10);
    jest.advanceTimersByTime(idleMs);
    registry.evictIdle();
    expect(registry.get('c-busy', () => new ConnectionLane(options))).not.toBe(busy);
  });

  it('keeps a lane while its breaker is open, however long it has been quiet', () => {
    const failing = registry.get(
      'c-failing',
      () => new ConnectionLane({ ...options, breakerResetMs: idleMs * 3 }),
    );
    failing.breaker.open();
    jest.advanceTimersByTime(idleMs * 2);
    registry.evictIdle();
    expect(registry.get('c-failing', () => new ConnectionLane(options))).toBe(failing);
  });

  it('drops a lane whose breaker went half-open and has had no trial since', async () => {
    // A deleted or quiet connection sends no trial: the breaker would stay half-open for good.
    const failing = registry.get('c-deleted', () => new ConnectionLane(options));
    for (let i = 0; i < options.breakerVolumeThreshold; i++) {
      failing.tryAcquire();
      await failing.breaker.fire(() => Promise.reject(new Error('503'))).catch(() => undefined);
      failing.release(10);
    }
    expect(failing.isOpen).toBe(true);
    jest.advanceTimersByTime(options.breakerResetMs);
    expect(failing.breaker.halfOpen).toBe(true);
    jest.advanceTimersByTime(idleMs - options.breakerResetMs);
    registry.evictIdle();
    expect(registry.size).toBe(0);
  });

  it('sweeps by itself', () => {
    registry.get('c-1', () => new ConnectionLane(options));
    jest.advanceTimersByTime(idleMs * 2);
    expect(registry.size).toBe(0);
  });
});
