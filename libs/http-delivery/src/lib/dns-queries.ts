import { ADDRCONFIG, promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { AddressResolver } from './address-resolver';
import { HostsFile } from './hosts-file';

export interface DnsQueryOptions {
  /** How long the first try waits for an answer; c-ares adapts later tries to the servers' pace. */
  timeoutMs: number;
  /** Tries per server before the name counts as not answered. */
  tries: number;
  /** The longest one try waits. */
  maxTimeoutMs: number;
  /** The servers to ask; the system's (`/etc/resolv.conf`) when absent. */
  servers?: string[];
  /** Read before DNS, as the system resolver does. */
  hostsFile: string;
  /** System resolver lookups (on libuv's thread pool) at once; more fail at once, to be retried. */
  maxFallbacks: number;
  /** This host's addresses, for `ADDRCONFIG`. */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export const DNS_QUERY_DEFAULTS: DnsQueryOptions = {
  timeoutMs: 1_000,
  tries: 4,
  maxTimeoutMs: 2_000,
  hostsFile: '/etc/hosts',
  maxFallbacks: 2,
};

/**
 * The DNS servers took too long, or failed, to answer for this name. Asking the system resolver
 * would only wait on the same servers again, on a thread of its own.
 */
const UNANSWERED = new Set(['ETIMEOUT', 'ESERVFAIL']);

/**
 * Resolves a name without holding a thread while its servers take their time. `dns.lookup` runs
 * on libuv's thread pool of four threads, shared with file and crypto work, and cannot be
 * cancelled: four names whose servers never answer, from any projects, held every thread for the
 * resolver's timeout and stalled every other connection's lookup behind them.
 *
 * In the system resolver's order: an IP address is itself; a name in the hosts file has the
 * addresses written there; any other name is asked of DNS from the event loop (c-ares). A name DNS
 * does not know, or has no address for, goes to `fallback` (the system resolver: search domains,
 * other name sources), at most `maxFallbacks` names at a time, so the thread pool always has
 * threads to spare.
 *
 * IPv4 addresses come first, then IPv6.
 */
export function queryingDnsFirst(
  fallback: AddressResolver,
  options: DnsQueryOptions = DNS_QUERY_DEFAULTS,
): AddressResolver {
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs,
    tries: options.tries,
    maxTimeout: options.maxTimeoutMs,
  });
  if (options.servers !== undefined) resolver.setServers(options.servers);
  const hosts = new HostsFile(options.hostsFile);
  let fallbacks = 0;

  const fallBack: AddressResolver = (hostname, lookupOptions, callback) => {
    if (fallbacks >= options.maxFallbacks) {
      callback(systemResolverBusy(hostname), []);
      return;
    }
    fallbacks++;
    let answered = false;
    const answer: Parameters<AddressResolver>[2] = (error, addresses) => {
      if (answered) return;
      answered = true;
      fallbacks--;
      callback(error, addresses);
    };
    try {
      fallback(hostname, lookupOptions, answer);
    } catch (error) {
      answer(error as NodeJS.ErrnoException, []);
    }
  };

  return function queriedLookup(hostname, lookupOptions, callback) {
    const family =
      familyOf(lookupOptions.family) ??
      configuredFamily(lookupOptions.hints, options.interfaces ?? networkInterfaces);
    const literal = isIP(hostname);
    if (literal !== 0) {
      process.nextTick(callback, null, [{ address: hostname, family: literal }]);
      return;
    }
    const known = hosts
      .addressesOf(hostname)
      .filter((address) => family === undefined || address.family === family);
    if (known.length > 0) {
      process.nextTick(callback, null, ipv4First(known));
      return;
    }
    const queries: Promise<LookupAddress[]>[] = [];
    if (family !== 6) queries.push(resolver.resolve4(hostname).then((found) => addressesOf(found, 4)));
    if (family !== 4) queries.push(resolver.resolve6(hostname).then((found) => addressesOf(found, 6)));
    void Promise.allSettled(queries).then((results) => {
      const addresses = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
      if (addresses.length > 0) {
        callback(null, addresses);
        return;
      }
      const failures = results.flatMap((result) =>
        result.status === 'rejected' ? [result.reason as NodeJS.ErrnoException] : [],
      );
      const unanswered = failures.find((failure) => UNANSWERED.has(failure.code ?? ''));
      if (unanswered !== undefined) {
        callback(unanswered, []);
        return;
      }
      fallBack(hostname, lookupOptions, callback);
    });
  };
}

function familyOf(family: number | 'IPv4' | 'IPv6' | undefined): 4 | 6 | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

/**
 * `ADDRCONFIG`, which sockets ask for: only a family this host has an address of, loopback aside.
 * Undefined when it has both, or when not asked.
 */
function configuredFamily(
  hints: number | undefined,
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>,
): 4 | 6 | undefined {
  if (hints === undefined || (hints & ADDRCONFIG) === 0) return undefined;
  const configured = new Set<number>();
  for (const addresses of Object.values(interfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal) configured.add(address.family === 'IPv6' ? 6 : 4);
    }
  }
  if (configured.size !== 1) return undefined;
  return configured.has(6) ? 6 : 4;
}

function addressesOf(found: string[], family: 4 | 6): LookupAddress[] {
  return found.map((address) => ({ address, family }));
}

function ipv4First(addresses: LookupAddress[]): LookupAddress[] {
  return [
    ...addresses.filter(({ family }) => family === 4),
    ...addresses.filter(({ family }) => family !== 4),
  ];
}

function systemResolverBusy(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `getaddrinfo EAI_AGAIN ${hostname}: DNS does not know the name, and the system resolver is busy with others`,
  );
  error.code = 'EAI_AGAIN';
  return error;
}
