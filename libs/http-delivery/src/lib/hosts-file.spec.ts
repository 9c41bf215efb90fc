import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostsFile } from './hosts-file';

function hostsFileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hosts-')), 'hosts');
  writeFileSync(path, text);
  return path;
}

describe('HostsFile', () => {
  const text = [
    '# The following lines are desirable for IPv6 capable hosts',
    '127.0.0.1\tlocalhost',
    '::1     localhost ip6-localhost ip6-loopback',
    '10.0.0.7 receiver.internal receiver # the team box',
    '10.0.0.8 Receiver.Internal.',
    'not-an-address stray.example',
    '',
  ].join('\n');

  it('gives every address written for a name or alias, whatever its case or a trailing dot', () => {
    const hosts = new HostsFile(hostsFileWith(text));

    expect(hosts.addressesOf('localhost')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(hosts.addressesOf('RECEIVER.internal.')).toEqual([
      { address: '10.0.0.7', family: 4 },
      { address: '10.0.0.8', family: 4 },
    ]);
    expect(hosts.addressesOf('receiver')).toEqual([{ address: '10.0.0.7', family: 4 }]);
  });

  it('names nothing for comments, lines without an address, or names not written', () => {
    const hosts = new HostsFile(hostsFileWith(text));

    expect(hosts.addressesOf('the')).toEqual([]);
    expect(hosts.addressesOf('stray.example')).toEqual([]);
    expect(hosts.addressesOf('example.com')).toEqual([]);
  });

  it('names nothing when there is no file', () => {
    expect(new HostsFile(join(tmpdir(), 'no-such-dir', 'hosts')).addressesOf('localhost')).toEqual([]);
  });

  it('keeps what the file named when it cannot be read again, and forgets it once the file is gone', () => {
    const path = hostsFileWith('10.0.0.7 receiver\n');
    let now = 0;
    const hosts = new HostsFile(path, () => now);
    expect(hosts.addressesOf('receiver')).toEqual([{ address: '10.0.0.7', family: 4 }]);

    // Reading a directory fails (EISDIR), for root too.
    rmSync(path);
    mkdirSync(path);
    now = 10_000;
    expect(hosts.addressesOf('receiver')).toEqual([{ address: '10.0.0.7', family: 4 }]);

    rmSync(path, { recursive: true });
    now = 20_000;
    expect(hosts.addressesOf('receiver')).toEqual([]);
  });

  it('reads the file again once ten seconds have passed', () => {
    const path = hostsFileWith('10.0.0.7 receiver\n');
    let now = 0;
    const hosts = new HostsFile(path, () => now);
    expect(hosts.addressesOf('receiver')).toEqual([{ address: '10.0.0.7', family: 4 }]);

    writeFileSync(path, '10.0.0.9 receiver\n');
    now = 9_999;
    expect(hosts.addressesOf('receiver')).toEqual([{ address: '10.0.0.7', family: 4 }]);
    now = 10_000;
    expect(hosts.addressesOf('receiver')).toEqual([{ address: '10.0.0.9', family: 4 }]);
  });
});
