import { pbkdf2 } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { ADDRCONFIG, type LookupAddress } from 'node:dns';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir, type NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressResolver } from './address-resolver';
import { queryingDnsFirst, type DnsQueryOptions } from './dns-queries';

const A = 1;
const AAAA = 28;
const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;

type Answer = { rcode: number; records?: { type: number; data: Buffer }[] } | 'silent';

/** A DNS server on loopback UDP that answers from `zone` and records what it was asked. */
async function fakeDnsServer(zone: (name: string, type: number) => Answer) {
  const asked: { name: string; type: number }[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (query, from) => {
    let offset = 12;
    const labels: string[] = [];
    while (query[offset] !== 0) {
      labels.push(query.toString('latin1', offset + 1, offset + 1 + query[offset]));
      offset += query[offset] + 1;
    }
    const questionEnd = offset + 5;
    const name = labels.join('.').toLowerCase();
    const type = query.readUInt16BE(offset + 1);
    asked.push({ name, type });
    const answer = zone(name, type);
    if (answer === 'silent') return;
    const records = answer.records ?? [];
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180 | answer.rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const answers = records.map(({ type: recordType, data }) => {
      const record = Buffer.alloc(12);
      record.writeUInt16BE(0xc00c, 0);
      record.writeUInt16BE(recordType, 2);
      record.writeUInt16BE(1, 4);
      record.writeUInt32BE(60, 6);
      record.writeUInt16BE(data.length, 10);
      return Buffer.concat([record, data]);
    });
    socket.send(
      Buffer.concat([header, query.subarray(12, questionEnd), ...answers]),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((listening) => socket.bind(0, '127.0.0.1', listening));
  return {
    asked,
    server: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    close: () => new Promise<void>((closed) => socket.close(() => closed())),
  };
}

const ipv4 = (address: string) => Buffer.from(address.split('.').map(Number));
const ipv6 = (groups: number[]) => Buffer.from(groups.flatMap((group) => [group >> 8, group & 0xff]));

const zone = (name: string, type: number): Answer => {
  if (name.endsWith('.silent.example.test')) return 'silent';
  if (name === 'failing.example.test') return { rcode: SERVFAIL };
  if (name === 'hooks.example.test' || name === 'api.example.test') {
    return type === A
      ? { rcode: NOERROR, records: [{ type: A, data: ipv4('192.0.2.10') }] }
      : { rcode: NOERROR, records: [{ type: AAAA, data: ipv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10]) }] };
  }
  if (name === 'v4-only.example.test') {
    return type === A
      ? { rcode: NOERROR, records: [{ type: A, data: ipv4('192.0.2.20') }] }
      : { rcode: NOERROR };
  }
  return { rcode: NXDOMAIN };
};

/** The system resolver's stand-in: what it was asked, and loopback for every name, held if asked to. */
function systemStandIn() {
  const asked: string[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const resolve: AddressResolver = (hostname, _options, callback) => {
    asked.push(hostname);
    const answer = () => callback(null, [{ address: '127.0.0.1', family: 4 }]);
    if (holding) held.push(answer);
    else setImmediate(answer);
  };
  return {
    asked,
    resolve,
    hold: () => (holding = true),
    answerHeld: () => {
      holding = false;
      held.splice(0).forEach((answer) => answer());
    },
  };
}

const lookUp = (resolve: AddressResolver, hostname: string, family?: number, hints?: number) =>
  new Promise<LookupAddress[]>((done, fail) =>
    resolve(hostname, { all: true, family, hints }, (error, addresses) =>
      error ? fail(error) : done(addresses),
    ),
  );

const interfacesOf =
  (...addresses: string[]) =>
  () => ({
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true } as NetworkInterfaceInfo,
      { address: '::1', family: 'IPv6', internal: true } as NetworkInterfaceInfo,
    ],
    eth0: addresses.map(
      (address) =>
        ({
          address,
          family: address.includes(':') ? 'IPv6' : 'IPv4',
          internal: false,
        }) as NetworkInterfaceInfo,
    ),
  });

describe('queryingDnsFirst', () => {
  let dns: Awaited<ReturnType<typeof fakeDnsServer>>;
  let system: ReturnType<typeof systemStandIn>;
  let options: DnsQueryOptions;
  let resolve: AddressResolver;

  beforeEach(async () => {
    dns = await fakeDnsServer(zone);
    system = systemStandIn();
    const hostsFile = join(mkdtempSync(join(tmpdir(), 'hosts-')), 'hosts');
    writeFileSync(hostsFile, '127.0.0.1 localhost\n10.1.2.3 hooks.example.test  # overrides DNS\n');
    options = {
      timeoutMs: 1_000,
      tries: 1,
      deadlineMs: 3_000,
      servers: [dns.server],
      hostsFile,
      maxFallbacks: 2,
      interfaces: interfacesOf('10.0.0.2', '2001:db8::2'),
    };
    resolve = queryingDnsFirst(system.resolve, options);
  });

  afterEach(() => dns.close());

  it("answers a name's addresses of both families from DNS, IPv4 first", async () => {
    expect(await lookUp(resolve, 'api.example.test')).toEqual([
      { address: '192.0.2.10', family: 4 },
      { address: '2001:db8::10', family: 6 },
    ]);
    expect(system.asked).toEqual([]);
  });

  it('asks only for the family asked for', async () => {
    expect(await lookUp(resolve, 'api.example.test', 6)).toEqual([{ address: '2001:db8::10', family: 6 }]);
    expect(dns.asked).toEqual([{ name: 'api.example.test', type: AAAA }]);
  });

  it('asks only for the family this host has an address of, link-local aside, when the socket asks so (ADDRCONFIG)', async () => {
    // net.connect asks with family 0 and ADDRCONFIG.
    const ipv4Only = queryingDnsFirst(system.resolve, {
      ...options,
      interfaces: interfacesOf('10.0.0.2', 'fe80::2'),
    });
    expect(await lookUp(ipv4Only, 'api.example.test', 0, ADDRCONFIG)).toEqual([
      { address: '192.0.2.10', family: 4 },
    ]);
    expect(await lookUp(resolve, 'api.example.test', 0, ADDRCONFIG)).toHaveLength(2);
    expect(await lookUp(ipv4Only, 'api.example.test', 0)).toHaveLength(2);
    expect(dns.asked.map(({ type }) => type)).toEqual([A, A, AAAA, A, AAAA]);
  });

  it('answers with the family DNS has when the other has no address', async () => {
    expect(await lookUp(resolve, 'v4-only.example.test')).toEqual([{ address: '192.0.2.20', family: 4 }]);
    expect(system.asked).toEqual([]);
  });

  it('answers a name in the hosts file from it, before DNS, as the system resolver does', async () => {
    expect(await lookUp(resolve, 'localhost')).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(await lookUp(resolve, 'HOOKS.example.test.')).toEqual([{ address: '10.1.2.3', family: 4 }]);
    expect(dns.asked).toEqual([]);
    expect(system.asked).toEqual([]);
  });

  it('hands a name DNS does not know, or knows no address of, to the system resolver (search domains)', async () => {
    expect(await lookUp(resolve, 'receiver.team')).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(await lookUp(resolve, 'v4-only.example.test', 6)).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(system.asked).toEqual(['receiver.team', 'v4-only.example.test']);
  });

  it('hands the system resolver two names at a time, and fails the others at once, to be tried again', async () => {
    system.hold();
    const first = lookUp(resolve, 'one.team');
    const second = lookUp(resolve, 'two.team');
    await expect(lookUp(resolve, 'three.team')).rejects.toMatchObject({ code: 'EAI_AGAIN' });
    expect(system.asked).toEqual(['one.team', 'two.team']);

    system.answerHeld();
    await Promise.all([first, second]);
    expect(await lookUp(resolve, 'four.team')).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('answers once when the system resolver calls back twice, and frees its turn once', async () => {
    const held: (() => void)[] = [];
    const twice = queryingDnsFirst((hostname, _options, callback) => {
      if (hostname !== 'one.team') return void held.push(() => callback(null, []));
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
      callback(null, [{ address: '127.0.0.2', family: 4 }]);
    }, options);
    const answers: LookupAddress[][] = [];
    await new Promise<void>((answered) =>
      twice('one.team', { all: true }, (_error, addresses) => {
        answers.push(addresses);
        answered();
      }),
    );
    await new Promise(setImmediate); // room for a second answer
    expect(answers).toEqual([[{ address: '127.0.0.1', family: 4 }]]);

    const waiting = [lookUp(twice, 'two.team'), lookUp(twice, 'three.team')];
    await expect(lookUp(twice, 'four.team')).rejects.toMatchObject({ code: 'EAI_AGAIN' });
    held.forEach((answer) => answer());
    await Promise.all(waiting);
  });

  it('gives the caller an error the system resolver throws, and frees its turn', async () => {
    const throwing = queryingDnsFirst(() => {
      throw Object.assign(new TypeError('bad hints'), { code: 'ERR_INVALID_ARG_VALUE' });
    }, options);
    for (const name of ['one.team', 'two.team', 'three.team']) {
      await expect(lookUp(throwing, name)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    }
  });

  it('answers an IP address as itself, asking no one', async () => {
    expect(await lookUp(resolve, '203.0.113.9')).toEqual([{ address: '203.0.113.9', family: 4 }]);
    expect(await lookUp(resolve, '2001:db8::1')).toEqual([{ address: '2001:db8::1', family: 6 }]);
    expect(dns.asked).toEqual([]);
    expect(system.asked).toEqual([]);
  });

  it('fails a name whose servers fail, without asking the system resolver to wait on them again', async () => {
    await expect(lookUp(resolve, 'failing.example.test')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(system.asked).toEqual([]);
  });

  it('fails a name DNS has not answered by the deadline, however many tries are left', async () => {
    const patient = queryingDnsFirst(system.resolve, { ...options, tries: 4, deadlineMs: 300 });
    await expect(lookUp(patient, 'late.silent.example.test')).rejects.toMatchObject({
      code: 'ETIMEOUT',
      message: expect.stringContaining('no answer within 300 ms'),
    });
    expect(system.asked).toEqual([]);
  });

  it('leaves the thread pool free while names whose servers never answer wait out their timeout', async () => {
    const settled: string[] = [];
    // More unanswered names than libuv has threads (four): dns.lookup would hold every one.
    const lookups = Array.from({ length: 8 }, (_, index) => `n${index}.silent.example.test`).map((name) =>
      lookUp(resolve, name).finally(() => settled.push(name)),
    );

    await promisify(pbkdf2)('password', 'salt', 1, 32, 'sha256');
    expect(settled).toEqual([]);

    const results = await Promise.allSettled(lookups);
    expect(
      results.map((result) => result.status === 'rejected' && (result.reason as { code?: string }).code),
    ).toEqual(Array(8).fill('ETIMEOUT'));
    expect(system.asked).toEqual([]);
  });
});
