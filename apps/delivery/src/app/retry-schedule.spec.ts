import { parseRetryAfter, parseRetrySchedule, RetrySchedule } from './retry-schedule';

describe('parseRetrySchedule', () => {
  it('reads durations with units', () => {
    expect(parseRetrySchedule('500ms,5s,5m,2h,1d')).toEqual([500, 5000, 300_000, 7_200_000, 86_400_000]);
  });

  it('names a bad entry', () => {
    expect(() => parseRetrySchedule('5s,soon')).toThrow('"soon" is not a duration');
  });

  it('refuses a delay longer than a week', () => {
    expect(parseRetrySchedule('7d')).toEqual([604_800_000]);
    expect(() => parseRetrySchedule('5s,7.5d')).toThrow('"7.5d" is longer than 7d');
  });
});

describe('RetrySchedule', () => {
  const fixed = (value: number) => () => value;

  it('spreads each delay by at most the jitter', () => {
    expect(new RetrySchedule([1000], 0.2, fixed(0)).delayAfter(1)).toBe(800);
    expect(new RetrySchedule([1000], 0.2, fixed(1)).delayAfter(1)).toBe(1200);
  });

  it('has no attempt after the last delay', () => {
    const schedule = new RetrySchedule([1000, 2000], 0);
    expect(schedule.maxAttempts).toBe(3);
    expect(schedule.delayAfter(2)).toBe(2000);
    expect(schedule.delayAfter(3)).toBeUndefined();
  });

  it('honours a longer Retry-After, up to a day', () => {
    const schedule = new RetrySchedule([1000, 60_000], 0);
    expect(schedule.delayAfter(1, 30_000)).toBe(30_000);
    expect(schedule.delayAfter(1, 10)).toBe(1000);
    expect(schedule.delayAfter(1, 10 * 86_400_000)).toBe(86_400_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-27T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
