import { ConnectionLane } from './connection-lane';

const options = {
  maxInFlight: 1,
  queueLimit: 1,
  breakerResetMs: 1_000,
  breakerVolumeThreshold: 5,
  breakerErrorPercentage: 50,
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
});
