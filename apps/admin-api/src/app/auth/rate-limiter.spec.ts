import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('lets a burst through, then makes the caller wait for the refill', () => {
    const limiter = new RateLimiter(2, 3, clock);
    expect([1, 2, 3].map(() => limiter.take('acme'))).toEqual([0, 0, 0]);
    expect(limiter.take('acme')).toBe(1);
    now += 500;
    expect(limiter.take('acme')).toBe(0);
    expect(limiter.take('acme')).toBe(1);
  });

  it('keeps callers apart', () => {
    const limiter = new RateLimiter(1, 1, clock);
    expect(limiter.take('acme')).toBe(0);
    expect(limiter.take('acme')).toBe(1);
    expect(limiter.take('globex')).toBe(0);
  });

  it('never refills past the burst, and forgets idle callers once there are many', () => {
    const limiter = new RateLimiter(1, 2, clock, 2);
    limiter.take('a');
    limiter.take('b');
    now += 60_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
    limiter.take('c');
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.has('b')).toBe(false);
  });
});
