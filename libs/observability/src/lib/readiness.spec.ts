import { Readiness } from './readiness';

describe('Readiness', () => {
  it('is ready when every check passes, an empty list of reasons included', async () => {
    const readiness = new Readiness();
    readiness.register('postgres', () => true);
    readiness.register('kafka', () => []);
    expect(await readiness.evaluate()).toEqual({
      ready: true,
      checks: { postgres: true, kafka: true },
      reasons: {},
    });
  });

  it('is not ready when a check fails, throws or gives reasons, and passes the reasons on', async () => {
    const readiness = new Readiness();
    readiness.register('postgres', () => Promise.reject(new Error('connect ECONNREFUSED')));
    readiness.register('kafka', () => ['producer not connected']);
    readiness.register('cache', () => true);
    expect(await readiness.evaluate()).toEqual({
      ready: false,
      checks: { postgres: false, kafka: false, cache: true },
      reasons: { kafka: ['producer not connected'] },
    });
  });
});
