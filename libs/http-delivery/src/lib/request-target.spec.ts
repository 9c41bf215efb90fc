import { RequestTargetCache } from './request-target';

describe('RequestTargetCache', () => {
  it('splits a URL into the origin and the path with its query', () => {
    const targets = new RequestTargetCache('allow-private');
    expect(targets.get('https://Hooks.Example.com:8443/a/b?c=d#fragment')).toEqual({
      origin: 'https://hooks.example.com:8443',
      path: '/a/b?c=d',
    });
    expect(targets.get('http://[::1]/')).toEqual({ origin: 'http://[::1]', path: '/' });
  });

  it('answers undefined for a URL that does not parse, every time', () => {
    const targets = new RequestTargetCache('allow-private');
    expect(targets.get('not a url')).toBeUndefined();
    expect(targets.get('not a url')).toBeUndefined();
  });

  it('hands back the same parse for the same URL and stays within its bound', () => {
    const targets = new RequestTargetCache('allow-private', 2);
    const first = targets.get('https://a.example.com/');
    expect(targets.get('https://a.example.com/')).toBe(first);
    targets.get('https://b.example.com/');
    targets.get('https://c.example.com/');
    expect(targets.get('https://a.example.com/')).not.toBe(first);
    expect(targets.get('https://a.example.com/')).toEqual(first);
  });
});
