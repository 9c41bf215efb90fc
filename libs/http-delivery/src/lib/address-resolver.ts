import { lookup, type LookupAddress } from 'node:dns';

/** The `{ all: true }` form of `dns.lookup`; injectable so tests can make any name resolve to loopback. */
export type AddressResolver = (
  hostname: string,
  options: { all: true; family?: number | 'IPv4' | 'IPv6'; hints?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolver: AddressResolver = lookup;
