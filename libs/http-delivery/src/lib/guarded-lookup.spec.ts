import type { LookupAddress } from 'node:dns';
import { connect, createServer, type AddressInfo, type LookupFunction } from 'node:net';
import type { AddressResolver } from './address-resolver';
import { createGuardedLookup } from './guarded-lookup';

function resolverAnswering(addresses: string[]): AddressResolver {
  return (_hostname, _options, callback) =>
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
}

function lookupOnce(
  lookup: LookupFunction,
  hostname: string,
  all: boolean,
): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((done) =>
    lookup(hostname, { all }, (error, address, family) => done({ error, address, family })),
  );
}

describe('createGuardedLookup', () => {
  it('answers with the first address when one is asked for', async () => {
    const lookup = createGuardedLookup(
      'public-https',
      resolverAnswering(['2606:4700:4700::1111', '1.1.1.1']),
    );
    await expect(lookupOnce(lookup, 'one.example.com', false)).resolves.toEqual({
      error: null,
      address: '2606:4700:4700::1111',
      family: 6,
    });
  });

  it('answers with every address when all are asked for', async () => {
    const lookup = createGuardedLookup('public-https', resolverAnswering(['1.1.1.1', '8.8.8.8']));
    const { error, address } = await lookupOnce(lookup, 'two.example.com', true);
    expect(error).toBeNull();
    expect(address).toEqual([
      { address: '1.1.1.1', family: 4 },
      { address: '8.8.8.8', family: 4 },
    ]);
  });

  it.each([
    [['127.0.0.1'], '127.0.0.1', 'loopback'],
    [['1.1.1.1', '10.0.0.7'], '10.0.0.7', 'private network (RFC 1918)'],
    [
      ['::ffff:169.254.169.254'],
      '::ffff:169.254.169.254',
      'cloud metadata service (IPv4-mapped 169.254.169.254)',
    ],
  ])('refuses %j under public-https, keeping %s out of the message', async (addresses, refused, reason) => {
    const lookup = createGuardedLookup('public-https', resolverAnswering(addresses));
    for (const all of [false, true]) {
      const { error } = await lookupOnce(lookup, 'rebind.example.com', all);
      expect(error).toMatchObject({
        code: 'EFORBIDDENADDRESS',
        address: refused,
        reason,
        message: `refusing to connect to rebind.example.com: it resolves to an address that is not public: ${reason}`,
      });
    }
  });

  it('passes a resolver error through', async () => {
    const failing: AddressResolver = (hostname, _options, callback) => {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, []);
    };
    const { error } = await lookupOnce(
      createGuardedLookup('public-https', failing),
      'nowhere.example.com',
      false,
    );
    expect(error?.code).toBe('ENOTFOUND');
  });

  it('lets every address through under allow-private', async () => {
    const lookup = createGuardedLookup('allow-private', resolverAnswering(['127.0.0.1']));
    await expect(lookupOnce(lookup, 'local.test', false)).resolves.toEqual({
      error: null,
      address: '127.0.0.1',
      family: 4,
    });
  });

  describe('as the lookup of a real socket', () => {
    const server = createServer((socket) => socket.end());
    let port = 0;

    beforeAll(async () => {
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

    function dial(lookup: LookupFunction): Promise<NodeJS.ErrnoException | null> {
      return new Promise((done) => {
        const socket = connect({ host: 'receiver.test', port, lookup });
        socket.once('connect', () => {
          socket.destroy();
          done(null);
        });
        socket.once('error', done);
      });
    }

    it('stops net.connect before it dials a forbidden address', async () => {
      const error = await dial(createGuardedLookup('public-https', resolverAnswering(['127.0.0.1'])));
      expect(error?.code).toBe('EFORBIDDENADDRESS');
    });

    it('dials under allow-private', async () => {
      await expect(
        dial(createGuardedLookup('allow-private', resolverAnswering(['127.0.0.1']))),
      ).resolves.toBeNull();
    });
  });
});
