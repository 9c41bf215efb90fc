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

  it('ignores finishing a record twice', () => {
    const window = new PartitionWindow();
    window.take(1n);
    window.take(2n);
    window.finish(1n);
    window.finish(1n);
    expect(window.lowWatermark()).toBe(2n);
  });
});
