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

  const bucketsOf = (limiter: RateLimiter) =>
    (limiter as unknown as { buckets: Map<string, unknown> }).buckets;

  it('never refills past the burst, and forgets the least recent caller once there are many', () => {
    const limiter = new RateLimiter(1, 2, clock, 2);
    limiter.take('a');
    limiter.take('b');
    now += 60_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
    limiter.take('c');
    expect([...bucketsOf(limiter).keys()]).toEqual(['a', 'c']);
    // 'a' is still limited: a newcomer pushed out the caller used longest ago.
    expect(limiter.take('a')).toBe(1);
  });

  it('keeps at most its number of buckets under a flood of new callers, each taken at once', () => {
    const limiter = new RateLimiter(50, 200, clock, 1_000);
    // Before, none was idle yet, so every bucket was kept and walked again for each newcomer.
    for (let caller = 0; caller < 20_000; caller++) limiter.take(`10.0.${caller >> 8}.${caller & 255}`);

    expect(bucketsOf(limiter).size).toBe(1_000);
  });
});
