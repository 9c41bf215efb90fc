import { PartitionWindow } from './partition-window';

describe('PartitionWindow', () => {
  it('commits up to the lowest unfinished record', () => {
    const window = new PartitionWindow();
    for (const offset of [10n, 11n, 12n]) window.take(offset);
    expect(window.lowWatermark()).toBe(10n);
    window.finish(11n);
    expect(window.lowWatermark()).toBe(10n);
    window.finish(10n);
    expect(window.lowWatermark()).toBe(12n);
    window.finish(12n);
    expect(window.lowWatermark()).toBe(13n);
    expect(window.size).toBe(0);
  });

  it('knows the records it has taken, to skip them when fetched again', () => {
    const window = new PartitionWindow();
    window.take(5n);
    window.finish(5n);
    expect(window.hasTaken(4n)).toBe(true);
    expect(window.hasTaken(5n)).toBe(true);
    expect(window.hasTaken(6n)).toBe(false);
  });

  it('wakes a waiter when a record finishes', async () => {
    const window = new PartitionWindow();
    window.take(1n);
    const waited = window.waitForRoom(10_000);
    window.finish(1n);
    await expect(waited).resolves.toBeUndefined();
  });

  it('refuses a record taken out of order, which would put its low watermark wrong', () => {
    const window = new PartitionWindow();
    window.take(7n);
    expect(() => window.take(7n)).toThrow(RangeError);
    expect(() => window.take(6n)).toThrow(RangeError);
    expect(window.lowWatermark()).toBe(7n);
  });

  it('follows the lowest unfinished record through a full window finished out of order', () => {
    const window = new PartitionWindow();
    for (let offset = 0n; offset < 1000n; offset++) window.take(offset);
    for (let offset = 999n; offset >= 500n; offset--) window.finish(offset);
    expect(window.lowWatermark()).toBe(0n);
    for (let offset = 0n; offset < 499n; offset++) window.finish(offset);
    expect(window.lowWatermark()).toBe(499n);
    window.finish(499n);
    expect(window.lowWatermark()).toBe(1000n);
  });

  it('ignores finishing a record twice', () => {
    const window = new PartitionWindow();
    window.take(1n);
    window.take(2n);
    window.finish(1n);
    window.finish(1n);
    expect(window.lowWatermark()).toBe(2n);
  });
});
