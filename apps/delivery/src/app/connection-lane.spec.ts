import { ConnectionLane } from './connection-lane';

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
    expect(await lane.acquire()).toBe(true);
    const queued = lane.acquire();
    expect(await lane.acquire()).toBe(false);
    lane.release();
    expect(await queued).toBe(true);
    expect(lane.inFlight).toBe(1);
  });

  it('turns away queued and new requests once closed, while the one in flight finishes', async () => {
    expect(await lane.acquire()).toBe(true);
    const queued = lane.acquire();
    lane.close();
    expect(await queued).toBe(false);
    expect(await lane.acquire()).toBe(false);
    expect(lane.inFlight).toBe(1);
    lane.release();
    expect(lane.inFlight).toBe(0);
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
