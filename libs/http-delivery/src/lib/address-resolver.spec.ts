import type { LookupAddress } from 'node:dns';
import { sharingLookups, type AddressResolver } from './address-resolver';

function slowResolver() {
  const asked: string[] = [];
  const answers: (() => void)[] = [];
  const resolve: AddressResolver = (hostname, _options, callback) => {
    asked.push(hostname);
    answers.push(() => callback(null, [{ address: '203.0.113.7', family: 4 }]));
  };
  return { asked, answerAll: () => answers.splice(0).forEach((answer) => answer()), resolve };
}

const lookUp = (resolve: AddressResolver, hostname: string, family?: 4 | 6) =>
  new Promise<LookupAddress[]>((done, fail) =>
    resolve(hostname, { all: true, family }, (error, addresses) => (error ? fail(error) : done(addresses))),
  );

describe('sharingLookups', () => {
  it('asks once for a name already being looked up, and answers every caller', async () => {
    const system = slowResolver();
    const shared = sharingLookups(system.resolve);

    const answers = Array.from({ length: 8 }, () => lookUp(shared, 'slow.example.com'));
    const other = lookUp(shared, 'other.example.com');
    const v6 = lookUp(shared, 'slow.example.com', 6);
    expect(system.asked).toEqual(['slow.example.com', 'other.example.com', 'slow.example.com']);

    system.answerAll();
    for (const answer of [...answers, other, v6]) {
      expect(await answer).toEqual([{ address: '203.0.113.7', family: 4 }]);
    }
  });

  it('keeps no answer: the next lookup asks again', async () => {
    const system = slowResolver();
    const shared = sharingLookups(system.resolve);

    const first = lookUp(shared, 'hooks.example.com');
    system.answerAll();
    await first;
    const second = lookUp(shared, 'hooks.example.com');
    system.answerAll();
    await second;

    expect(system.asked).toEqual(['hooks.example.com', 'hooks.example.com']);
  });

  it('gives every caller the failure', async () => {
    const failing: AddressResolver = (hostname, _options, callback) =>
      setImmediate(() =>
        callback(Object.assign(new Error(`getaddrinfo EAI_AGAIN ${hostname}`), { code: 'EAI_AGAIN' }), []),
      );
    const shared = sharingLookups(failing);

    const results = await Promise.allSettled([
      lookUp(shared, 'down.example.com'),
      lookUp(shared, 'down.example.com'),
    ]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('does not leave a name waiting for ever when the resolver throws', async () => {
    let calls = 0;
    const shared = sharingLookups((_hostname, _options, callback) => {
      calls++;
      if (calls === 1) throw new TypeError('bad hostname');
      callback(null, [{ address: '203.0.113.7', family: 4 }]);
    });

    expect(() => shared('hooks.example.com', { all: true }, () => undefined)).toThrow(TypeError);
    expect(await lookUp(shared, 'hooks.example.com')).toEqual([{ address: '203.0.113.7', family: 4 }]);
  });
});
