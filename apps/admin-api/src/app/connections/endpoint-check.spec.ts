import type { AddressResolver } from '@campaign-webhooks/http-delivery';
import { checkEndpoint, checkEndpoints } from './endpoint-check';

/** A DNS answering from a table, and recording what it was asked. */
function fakeDns(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve: AddressResolver = (hostname, _options, callback) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, []);
      return;
    }
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { resolve, asked };
}

const dns = () =>
  fakeDns({
    'hooks.example.com': ['93.184.216.34'],
    'internal.example.com': ['10.0.0.5'],
    'mixed.example.com': ['93.184.216.34', '169.254.169.254'],
    'v6.example.com': ['2606:4700:4700::1111'],
    'loopback6.example.com': ['::1'],
    '93.184.216.34': ['93.184.216.34'],
  });

describe('checkEndpoint under public-https', () => {
  it.each([
    'https://hooks.example.com/xp',
    'https://v6.example.com:8443/hook?x=1',
    'https://93.184.216.34/hook',
  ])('accepts %s, whose host resolves only to public addresses', async (url) => {
    expect(await checkEndpoint('url', url, 'public-https', dns().resolve)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.com/xp', /must be a full https:\/\/ URL/],
    ['hooks.example.com/xp', /must be a full https:\/\/ URL/],
    ['https:///hooks.example.com', /must be a full https:\/\/ URL/],
    ['not a url', /spaces/],
    ['https://user:pw@hooks.example.com/', /must not contain credentials/],
    ['https://localhost/hook', /localhost/],
    ['https://127.0.0.1/hook', /loopback/],
    ['https://[::1]/hook', /loopback/],
    ['https://169.254.169.254/latest', /metadata/],
    ['https://intranet/hook', /fully qualified/],
  ])('refuses %s by its form, naming the field', async (url, reason) => {
    const { resolve, asked } = dns();

    const error = await checkEndpoint('url', url, 'public-https', resolve);

    expect(error).toEqual({ field: 'url', message: expect.stringMatching(reason) });
    expect(asked).toEqual([]);
  });

  it.each([
    // The kind of address, never the address: an internal name's is not the caller's to learn.
    ['https://internal.example.com/hook', /resolves to an address that is not public: private network/],
    ['https://mixed.example.com/hook', /resolves to an address that is not public: cloud metadata service/],
    ['https://loopback6.example.com/hook', /resolves to an address that is not public: loopback/],
    ['https://nowhere.example.com/hook', /does not resolve \(ENOTFOUND\)/],
  ])('refuses %s by the addresses its host resolves to', async (url, reason) => {
    const { resolve, asked } = dns();

    const error = await checkEndpoint('url', url, 'public-https', resolve);

    expect(error).toEqual({ field: 'url', message: expect.stringMatching(reason) });
    expect(asked).toEqual([new URL(url).hostname]);
  });
});

describe('checkEndpoint under allow-private', () => {
  it('accepts http:// and private addresses without resolving anything', async () => {
    const { resolve, asked } = dns();

    expect(
      await checkEndpoint('url', 'http://127.0.0.1:4000/hook', 'allow-private', resolve),
    ).toBeUndefined();
    expect(
      await checkEndpoint('url', 'http://internal.example.com/hook', 'allow-private', resolve),
    ).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('still refuses what is not an http(s) URL', async () => {
    expect(await checkEndpoint('url', 'ftp://files.example.com/x', 'allow-private', dns().resolve)).toEqual({
      field: 'url',
      message: 'URL must be a full http:// or https:// URL',
    });
  });
});

describe('checkEndpoints', () => {
  it('names every bad URL by its field, and skips those not given', async () => {
    const errors = await checkEndpoints(
      [
        { field: 'url', url: 'https://internal.example.com/hook' },
        { field: 'auth.tokenUrl', url: 'http://auth.example.com/token' },
        { field: 'other', url: undefined },
      ],
      'public-https',
      dns().resolve,
    );

    expect(errors.map((error) => error.field)).toEqual(['url', 'auth.tokenUrl']);
  });
});
