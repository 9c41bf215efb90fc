import type { LookupAddress } from 'node:dns';

/** The `{ all: true }` form of `dns.lookup`; injectable so tests can make any name resolve to loopback. */
export type AddressResolver = (
  hostname: string,
  options: { all: true; family?: number | 'IPv4' | 'IPv6'; hints?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * Shares a lookup already under way among every caller asking for the same name: a name whose
 * servers never answer is asked once for every attempt waiting on it, not once per attempt, and
 * the system resolver's fallback (on libuv's thread pool, and not cancellable) holds at most one
 * thread per name. Nothing is cached once the answer is in.
 */
export function sharingLookups(resolve: AddressResolver): AddressResolver {
  const underWay = new Map<string, Parameters<AddressResolver>[2][]>();
  return function sharedLookup(hostname, options, callback) {
    const key = `${hostname}\0${options.family ?? ''}\0${options.hints ?? ''}`;
    const waiting = underWay.get(key);
    if (waiting !== undefined) {
      waiting.push(callback);
      return;
    }
    const callbacks = [callback];
    underWay.set(key, callbacks);
    try {
      resolve(hostname, options, (error, addresses) => {
        underWay.delete(key);
        for (const answer of callbacks) answer(error, addresses?.slice() ?? []);
      });
    } catch (error) {
      // Thrown before any answer: the callers waiting on it must not wait for ever.
      underWay.delete(key);
      throw error;
    }
  };
}
