import { KeyedSerializer } from './keyed-serializer';

describe('KeyedSerializer', () => {
  it('runs work for one key in order, one at a time, even after a failure', async () => {
    const serializer = new KeyedSerializer();
    const events: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
      };
    const results = await Promise.allSettled([
      serializer.run('a', step('a1', 20, true)),
      serializer.run('a', step('a2', 1)),
      serializer.run('b', step('b1', 5)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(events.indexOf('start a2')).toBeGreaterThan(events.indexOf('end a1'));
    expect(events.indexOf('start b1')).toBeLessThan(events.indexOf('end a1'));
  });
});
