import { ADDRCONFIG, lookup, promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { sharingLookups, type AddressResolver } from './address-resolver';
import { HostsFile } from './hosts-file';

export interface DnsQueryOptions {
  /** How long the first try waits for an answer; c-ares adapts later tries to the servers' pace. */
  timeoutMs: number;
  /** Tries per server before the name counts as not answered. */
  tries: number;
  /** The longest a lookup waits for DNS, whatever the tries add up to. */
  deadlineMs: number;
  /** The servers to ask; the system's (`/etc/resolv.conf`, read once) when absent. */
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
  deadlineMs: 4_000,
  hostsFile: '/etc/hosts',
  maxFallbacks: 2,
};

/**
 * The DNS servers took too long, or failed, to answer for this name. Asking the system resolver
 * would only wait on the same servers again, on a thread of its own.
 */
const UNANSWERED = new Set(['ETIMEOUT', 'ESERVFAIL']);

/** How long this host's interfaces are taken as they were read, for `ADDRCONFIG`. */
const INTERFACES_FOR_MS = 10_000;

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
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries });
  if (options.servers !== undefined) resolver.setServers(options.servers);
  const hosts = new HostsFile(options.hostsFile);
  const familiesOfHost = hostFamilies(options.interfaces ?? networkInterfaces);
  let fallbacks = 0;

  // Shared by name and family, so one name never takes two of the fallback's turns.
  const fallBack = sharingLookups((hostname, lookupOptions, callback) => {
    if (fallbacks >= options.maxFallbacks) {
      process.nextTick(callback, systemResolverBusy(hostname), []);
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
      // Thrown by the caller's callback, once answered: not the fallback's to swallow.
      if (answered) throw error;
      answer(error as NodeJS.ErrnoException, []);
    }
  });

  return function queriedLookup(hostname, lookupOptions, callback) {
    const family = familyOf(lookupOptions.family) ?? configuredFamily(lookupOptions.hints, familiesOfHost);
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
    void askDns(resolver, hostname, family, options.deadlineMs).then(
      // Outside the promise chain: a callback that throws is the caller's error, not a rejection.
      (addresses) => process.nextTick(callback, null, addresses),
      (error: NodeJS.ErrnoException) => {
        if (UNANSWERED.has(error.code ?? '')) process.nextTick(callback, error, []);
        else process.nextTick(fallBack, hostname, { all: true, family }, callback);
      },
    );
  };
}

/** The name's addresses of `family` (both when undefined), or why there are none. */
async function askDns(
  resolver: InstanceType<typeof dns.Resolver>,
  hostname: string,
  family: 4 | 6 | undefined,
  deadlineMs: number,
): Promise<LookupAddress[]> {
  const queries: Promise<LookupAddress[]>[] = [];
  if (family !== 6) queries.push(resolver.resolve4(hostname).then((found) => addressesOf(found, 4)));
  if (family !== 4) queries.push(resolver.resolve6(hostname).then((found) => addressesOf(found, 6)));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(resolve, deadlineMs, 'deadline');
  });
  const results = await Promise.race([Promise.allSettled(queries), deadline]);
  clearTimeout(timer);
  if (results === 'deadline') throw unanswered(hostname, deadlineMs);
  const addresses = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
  if (addresses.length > 0) return addresses;
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as NodeJS.ErrnoException] : [],
  );
  throw failures.find((failure) => UNANSWERED.has(failure.code ?? '')) ?? failures[0] ?? notFound(hostname);
}

function familyOf(family: number | 'IPv4' | 'IPv6' | undefined): 4 | 6 | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

/**
 * `ADDRCONFIG`, which sockets ask for: only a family this host has an address of, loopback and
 * link-local aside, as `getaddrinfo` reads it. Undefined when it has both, or when not asked.
 */
function configuredFamily(hints: number | undefined, familiesOfHost: () => Set<4 | 6>): 4 | 6 | undefined {
  if (hints === undefined || (hints & ADDRCONFIG) === 0) return undefined;
  const configured = familiesOfHost();
  if (configured.size !== 1) return undefined;
  return configured.has(6) ? 6 : 4;
}

/** The families of this host's routable addresses, read again at most every ten seconds. */
function hostFamilies(interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>): () => Set<4 | 6> {
  let families = new Set<4 | 6>();
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (Date.now() - readAt < INTERFACES_FOR_MS) return families;
    readAt = Date.now();
    try {
      const found = new Set<4 | 6>();
      for (const addresses of Object.values(interfaces())) {
        for (const address of addresses ?? []) {
          if (address.internal) continue;
          if (address.family === 'IPv4') found.add(4);
          else if (!/^fe[89ab]/i.test(address.address)) found.add(6);
        }
      }
      families = found;
    } catch {
      // Not knowing, ask for both families, as without the hint.
      families = new Set();
    }
    return families;
  };
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

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`queryA ENOTFOUND ${hostname}`);
  error.code = 'ENOTFOUND';
  return error;
}

function unanswered(hostname: string, deadlineMs: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `queryA ETIMEOUT ${hostname}: no answer within ${deadlineMs} ms`,
  );
  error.code = 'ETIMEOUT';
  return error;
}

function systemResolverBusy(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `getaddrinfo EAI_AGAIN ${hostname}: DNS does not know the name, and the system resolver is busy with others`,
  );
  error.code = 'EAI_AGAIN';
  return error;
}

/** How this service resolves names: the hosts file, then DNS from the event loop, then the system's resolver. */
export const systemResolver: AddressResolver = sharingLookups(queryingDnsFirst(lookup));
