import type { LookupAddress } from 'node:dns';
import type { AddressResolver } from './address-resolver';
import { checkEndpointUrl, resolveAndCheck } from './endpoint-policy';

function fakeResolver(answers: Record<string, string[]>): AddressResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve: AddressResolver = (hostname, _options, callback) => {
    asked.push(hostname);
    const addresses = answers[hostname];
    if (addresses === undefined) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, []);
      return;
    }
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return Object.assign(resolve, { asked });
}

describe('checkEndpointUrl under public-https', () => {
  it.each([
    ['https://hooks.example.com/xp', 'https://hooks.example.com/xp'],
    ['https://hooks.example.com:8443/a/b?c=d&e=f', 'https://hooks.example.com:8443/a/b?c=d&e=f'],
    ['HTTPS://Hooks.Example.COM/', 'https://hooks.example.com/'],
    ['https://hooks.example.com./', 'https://hooks.example.com./'],
    ['https://8.8.8.8/hook', 'https://8.8.8.8/hook'],
    ['https://[2606:4700:4700::1111]/hook', 'https://[2606:4700:4700::1111]/hook'],
    ['https://xn--bcher-kva.example/', 'https://xn--bcher-kva.example/'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
  ])('accepts %s as %s', (url, normalised) => {
    const check = checkEndpointUrl(url, 'public-https');
    expect(check).toEqual({ ok: true, url: new URL(normalised) });
  });

  it.each([
    // IP literals, in the spellings that reach the resolver or the socket as loopback or private
    ['https://127.0.0.1/x', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://2130706433/', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://0177.0.0.1/', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://0x7f.1/', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://0x7f000001/', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://127.1/', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://127.0.0.1./', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://①②⑦.0.0.1/', 'URL host 127.0.0.1 is not a public address: loopback'],
    ['https://[::1]/', 'URL host ::1 is not a public address: loopback'],
    [
      'https://[::ffff:127.0.0.1]/',
      'URL host ::ffff:7f00:1 is not a public address: loopback (IPv4-mapped 127.0.0.1)',
    ],
    ['https://[::127.0.0.1]/', 'URL host ::7f00:1 is not a public address: reserved'],
    ['https://0.0.0.0/', 'URL host 0.0.0.0 is not a public address: unspecified'],
    ['https://0/', 'URL host 0.0.0.0 is not a public address: unspecified'],
    ['https://10.0.0.5/', 'URL host 10.0.0.5 is not a public address: private network (RFC 1918)'],
    ['https://192.168.0.1/', 'URL host 192.168.0.1 is not a public address: private network (RFC 1918)'],
    ['https://100.64.1.1/', 'URL host 100.64.1.1 is not a public address: carrier-grade NAT (RFC 6598)'],
    [
      'https://169.254.169.254/latest/meta-data/',
      'URL host 169.254.169.254 is not a public address: cloud metadata service',
    ],
    ['https://[fd00:ec2::254]/', 'URL host fd00:ec2::254 is not a public address: cloud metadata service'],
    ['https://[fc00::1]/', 'URL host fc00::1 is not a public address: unique local (RFC 4193)'],
    ['https://[fe80::1]/', 'URL host fe80::1 is not a public address: link-local'],
    ['https://255.255.255.255/', 'URL host 255.255.255.255 is not a public address: broadcast'],
    ['https://224.0.0.1/', 'URL host 224.0.0.1 is not a public address: multicast'],
    // names that always mean this machine
    ['https://localhost/', 'URL host must not be localhost'],
    ['https://localhost./', 'URL host must not be localhost'],
    ['https://LOCALHOST:8443/', 'URL host must not be localhost'],
    ['https://api.localhost/', 'URL host must not be localhost'],
    ['https://ⓛocalhost/', 'URL host must not be localhost'],
    ['https://intranet/hook', 'URL host intranet must be a fully qualified domain name'],
    // shape
    ['http://hooks.example.com/', 'URL must be a full https:// URL'],
    ['ftp://hooks.example.com/', 'URL must be a full https:// URL'],
    ['hooks.example.com/xp', 'URL must be a full https:// URL'],
    ['/relative/path', 'URL must be a full https:// URL'],
    ['', 'URL must be a full https:// URL'],
    ['https://', 'URL must be a full https:// URL'],
    ['https:hooks.example.com', 'URL must be a full https:// URL, starting with https://<host>'],
    ['https:///hooks.example.com', 'URL must be a full https:// URL, starting with https://<host>'],
    ['https:\\\\hooks.example.com', 'URL must be a full https:// URL, starting with https://<host>'],
    [
      'https://user:pass@hooks.example.com/',
      "URL must not contain credentials; use the connection's authentication settings",
    ],
    [
      'https://user@hooks.example.com/',
      "URL must not contain credentials; use the connection's authentication settings",
    ],
    [' https://hooks.example.com/', 'URL must not contain spaces or control characters'],
    ['https://hooks.example.com/a b', 'URL must not contain spaces or control characters'],
    ['https://hooks.example.com/\tx', 'URL must not contain spaces or control characters'],
    ['https://hooks.example.com:0/', 'URL port 0 is not valid'],
    ['https://hooks.example.com:99999/', 'URL must be a full https:// URL'],
  ])('refuses %p: %s', (url, reason) => {
    expect(checkEndpointUrl(url, 'public-https')).toEqual({ ok: false, reason });
  });
});

describe('checkEndpointUrl under allow-private', () => {
  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost:3000/',
    'https://10.0.0.1/',
    'http://[::1]:3000/',
    'http://receiver/hook',
  ])('accepts %s', (url) => {
    expect(checkEndpointUrl(url, 'allow-private')).toMatchObject({ ok: true });
  });

  it.each([
    ['ftp://127.0.0.1/', 'URL must be a full http:// or https:// URL'],
    ['localhost:3000', 'URL must be a full http:// or https:// URL'],
    [
      'http://u:p@localhost/',
      "URL must not contain credentials; use the connection's authentication settings",
    ],
  ])('still refuses %s', (url, reason) => {
    expect(checkEndpointUrl(url, 'allow-private')).toEqual({ ok: false, reason });
  });
});

describe('resolveAndCheck', () => {
  it('accepts a name whose addresses are all public', async () => {
    const resolve = fakeResolver({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'] });
    await expect(resolveAndCheck('hooks.example.com', 'public-https', resolve)).resolves.toEqual({
      ok: true,
      addresses: ['93.184.216.34', '2606:2800:220:1::1'],
    });
  });

  it('refuses a name when any of its addresses is forbidden', async () => {
    const resolve = fakeResolver({ 'rebind.example.com': ['93.184.216.34', '127.0.0.1'] });
    await expect(resolveAndCheck('rebind.example.com', 'public-https', resolve)).resolves.toEqual({
      ok: false,
      reason: 'host rebind.example.com resolves to an address that is not public: loopback',
    });
  });

  it('refuses a name that resolves to the metadata service over IPv4-mapped IPv6', async () => {
    const resolve = fakeResolver({ 'meta.example.com': ['::ffff:169.254.169.254'] });
    await expect(resolveAndCheck('meta.example.com', 'public-https', resolve)).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('cloud metadata service'),
    });
  });

  it('refuses a name that does not resolve', async () => {
    await expect(resolveAndCheck('nowhere.example.com', 'public-https', fakeResolver({}))).resolves.toEqual({
      ok: false,
      reason: 'host nowhere.example.com does not resolve (ENOTFOUND)',
    });
  });

  it('strips brackets from an IPv6 host as URL.hostname writes it', async () => {
    const resolve = fakeResolver({ '::1': ['::1'] });
    await expect(resolveAndCheck('[::1]', 'public-https', resolve)).resolves.toMatchObject({ ok: false });
    expect(resolve.asked).toEqual(['::1']);
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(resolveAndCheck('localhost', 'public-https')).resolves.toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^host localhost resolves to an address that is not public: loopback$/),
    });
  });

  it('resolves nothing under allow-private', async () => {
    const resolve = fakeResolver({});
    await expect(resolveAndCheck('localhost', 'allow-private', resolve)).resolves.toEqual({
      ok: true,
      addresses: [],
    });
    expect(resolve.asked).toEqual([]);
  });
});
