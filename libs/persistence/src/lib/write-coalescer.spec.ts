import { WriteCoalescer } from './write-coalescer';

/** A write that finishes only when the test says so. */
class ControlledWrite {
  readonly writes: { items: string[]; succeed(): void; fail(error: Error): void }[] = [];

  readonly write = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      this.writes.push({ items, succeed: resolve, fail: reject });
    });

  get written(): string[][] {
    return this.writes.map((write) => write.items);
  }
}

/** Lets settled promises run their callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: 'pending' | 'resolved' | Error } {
  const tracked: { state: 'pending' | 'resolved' | Error } = { state: 'pending' };
  promise.then(
    () => (tracked.state = 'resolved'),
    (error: Error) => (tracked.state = error),
  );
  return tracked;
}

describe('WriteCoalescer', () => {
  it('writes at once when no write is in flight', async () => {
    const database = new ControlledWrite();
    const coalescer = new WriteCoalescer(database.write, 10);
    const call = track(coalescer.add(['a', 'b']));
    expect(database.written).toEqual([['a', 'b']]);
    await settle();
    expect(call.state).toBe('pending');
    database.writes[0].succeed();
    await settle();
    expect(call.state).toBe('resolved');
  });

  it('writes the calls made while a write is in flight together, once it finishes', async () => {
    const database = new ControlledWrite();
    const coalescer = new WriteCoalescer(database.write, 10);
    const first = track(coalescer.add(['a']));
    const waiting = [track(coalescer.add(['b', 'c'])), track(coalescer.add(['d']))];
    expect(database.written).toEqual([['a']]);

    database.writes[0].succeed();
    await settle();
    expect(first.state).toBe('resolved');
    expect(database.written).toEqual([['a'], ['b', 'c', 'd']]);
    expect(waiting.map((call) => call.state)).toEqual(['pending', 'pending']);

    database.writes[1].succeed();
    await settle();
    expect(waiting.map((call) => call.state)).toEqual(['resolved', 'resolved']);
    coalescer.add(['e']);
    expect(database.written).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('splits the waiting calls at the cap, in order, without splitting a call', async () => {
    const database = new ControlledWrite();
    const coalescer = new WriteCoalescer(database.write, 3);
    void coalescer.add(['in flight']);
    for (const items of [['a', 'b'], ['c'], ['d', 'e'], ['f', 'g', 'h', 'i'], ['j']])
      void coalescer.add(items);
    for (let write = 0; write < 5; write++) {
      database.writes[write]?.succeed();
      await settle();
    }
    expect(database.written).toEqual([
      ['in flight'],
      ['a', 'b', 'c'],
      ['d', 'e'],
      ['f', 'g', 'h', 'i'],
      ['j'],
    ]);
  });

  it('fails a call alone when its write fails, and keeps writing', async () => {
    const database = new ControlledWrite();
    const coalescer = new WriteCoalescer(database.write, 10);
    const failed = track(coalescer.add(['a']));
    database.writes[0].fail(new Error('connection lost'));
    await settle();
    expect(failed.state).toEqual(new Error('connection lost'));

    const later = track(coalescer.add(['b']));
    expect(database.written).toEqual([['a'], ['b']]);
    database.writes[1].succeed();
    await settle();
    expect(later.state).toBe('resolved');
  });

  it('writes each call of a failed write again alone, so that only the calls whose own write fails fail', async () => {
    const database = new ControlledWrite();
    const coalescer = new WriteCoalescer(database.write, 10);
    void coalescer.add(['in flight']);
    const calls = [
      track(coalescer.add(['a'])),
      track(coalescer.add(['refused'])),
      track(coalescer.add(['c'])),
    ];
    database.writes[0].succeed();
    await settle();

    database.writes[1].fail(new Error('refused'));
    await settle();
    expect(calls.map((call) => call.state)).toEqual(['pending', 'pending', 'pending']);
    database.writes[2].succeed();
    await settle();
    database.writes[3].fail(new Error('refused'));
    await settle();
    database.writes[4].succeed();
    await settle();

    expect(database.written).toEqual([['in flight'], ['a', 'refused', 'c'], ['a'], ['refused'], ['c']]);
    expect(calls.map((call) => call.state)).toEqual(['resolved', new Error('refused'), 'resolved']);
  });

  it('fails every call of a failed write whose own write fails too', async () => {
    const database = new ControlledWrite();
    const coalescer = new WriteCoalescer(database.write, 10);
    void coalescer.add(['in flight']);
    const calls = [track(coalescer.add(['a'])), track(coalescer.add(['b']))];
    database.writes[0].succeed();
    await settle();
    for (let write = 1; write <= 3; write++) {
      database.writes[write].fail(new Error('database unavailable'));
      await settle();
    }
    expect(database.written).toEqual([['in flight'], ['a', 'b'], ['a'], ['b']]);
    expect(calls.map((call) => call.state)).toEqual([
      new Error('database unavailable'),
      new Error('database unavailable'),
    ]);
  });
});
