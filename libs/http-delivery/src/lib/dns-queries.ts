import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { AddressResolver } from './address-resolver';

export interface DnsQueryOptions {
  /** How long one query waits for a server's answer before the next try. */
  timeoutMs: number;
  /** Tries per server before the name counts as not answered. */
  tries: number;
  /** The servers to ask; the system's (`/etc/resolv.conf`) when absent. */
  servers?: string[];
}

export const DNS_QUERY_DEFAULTS: DnsQueryOptions = { timeoutMs: 2_000, tries: 2 };

/**
 * The DNS servers took too long, or failed, to answer for this name. Asking the system resolver
 * would only wait on the same servers again, on a thread of its own.
 */
const UNANSWERED = new Set(['ETIMEOUT', 'ESERVFAIL']);

/**
 * Resolves a name with DNS queries made from the event loop (c-ares) rather than `dns.lookup`,
 * which runs on libuv's thread pool of four threads shared with file and crypto work: four names
 * whose servers never answer, from any projects, would hold every thread for the resolver's
 * timeout and stall every other connection's lookup behind them. Here a name that is not answered
 * holds a socket until `timeoutMs` × `tries`, and nothing else waits for it.
 *
 * A name DNS does not know (or a DNS the service cannot reach) is then looked up by `fallback`, the
 * system's resolver, which also reads `/etc/hosts` and the other sources the host configures:
 * `localhost`, or a Kubernetes `hostAliases` entry, resolves as before.
 *
 * IPv4 addresses come first, then IPv6, as `dns.lookup` answers with `order: 'ipv4first'`.
 */
export function queryingDnsFirst(
  fallback: AddressResolver,
  options: DnsQueryOptions = DNS_QUERY_DEFAULTS,
): AddressResolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries });
  if (options.servers !== undefined) resolver.setServers(options.servers);

  return function queriedLookup(hostname, lookupOptions, callback) {
    const literal = isIP(hostname);
    if (literal !== 0) {
      process.nextTick(callback, null, [{ address: hostname, family: literal }]);
      return;
    }
    const family = familyOf(lookupOptions.family);
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
      fallback(hostname, lookupOptions, callback);
    });
  };
}

function familyOf(family: number | 'IPv4' | 'IPv6' | undefined): 4 | 6 | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

function addressesOf(found: string[], family: 4 | 6): LookupAddress[] {
  return found.map((address) => ({ address, family }));
}
