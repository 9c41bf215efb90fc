import { ProfileCache } from './profile-cache';

describe('ProfileCache', () => {
  it('remembers profiles and profiles known not to exist, until they expire', () => {
    let now = 0;
    const cache = new ProfileCache(1000, 10, () => now);
    cache.set('acme', 'p1', { first_name: 'Jane' });
    cache.set('acme', 'p2', null);
    expect(cache.get('acme', 'p1')).toEqual({ first_name: 'Jane' });
    expect(cache.get('acme', 'p2')).toBeNull();
    expect(cache.get('globex', 'p1')).toBeUndefined();
    now = 1000;
    expect(cache.get('acme', 'p1')).toBeUndefined();
  });

  it('drops the oldest entry when full', () => {
    const cache = new ProfileCache(60_000, 2);
    cache.set('acme', 'p1', {});
    cache.set('acme', 'p2', {});
    cache.set('acme', 'p3', {});
    expect(cache.get('acme', 'p1')).toBeUndefined();
    expect(cache.get('acme', 'p3')).toEqual({});
  });

  it('forgets a deleted profile in every project', () => {
    const cache = new ProfileCache();
    cache.set('acme', 'p1', {});
    cache.set('globex', 'p1', {});
    cache.set('acme', 'p10', {});
    cache.forgetProfile('p1');
    expect(cache.get('acme', 'p1')).toBeUndefined();
    expect(cache.get('globex', 'p1')).toBeUndefined();
    expect(cache.get('acme', 'p10')).toEqual({});
  });
});
