import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { AddressResolver } from './address-resolver';
import { systemResolver } from './dns-queries';
import type { EndpointPolicy } from './endpoint-policy';
import { ForbiddenAddressError } from './forbidden-address-error';
import { isForbiddenAddress } from './forbidden-address';

/**
 * A `lookup` for `net.connect`/`tls.connect`: the addresses handed to the socket are the ones
 * checked, so a DNS answer that changed since save time (rebinding) is refused at connect time.
 * Refuses when any resolved address is forbidden, not just the first: with Happy Eyeballs the
 * socket may try them all.
 */
export function createGuardedLookup(
  policy: EndpointPolicy,
  resolve: AddressResolver = systemResolver,
): LookupFunction {
  const checked = policy === 'public-https';
  return function guardedLookup(hostname, options, callback) {
    resolve(hostname, { all: true, family: options.family, hints: options.hints }, (error, answered) => {
      if (error !== null) {
        callback(error, options.all === true ? [] : '');
        return;
      }
      // A socket bound to a local address reaches only addresses of that address's family.
      const family = options.family === 4 || options.family === 6 ? options.family : undefined;
      const addresses = family ? answered.filter((address) => address.family === family) : answered;
      if (addresses.length === 0) {
        callback(notFound(hostname), options.all === true ? [] : '');
        return;
      }
      if (checked) {
        const refusal = firstForbidden(hostname, addresses);
        if (refusal !== undefined) {
          callback(refusal, options.all === true ? [] : '');
          return;
        }
      }
      if (options.all === true) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}

function firstForbidden(hostname: string, addresses: LookupAddress[]): ForbiddenAddressError | undefined {
  for (const { address } of addresses) {
    const reason = isForbiddenAddress(address);
    if (reason !== undefined) {
      return new ForbiddenAddressError(hostname, address, reason);
    }
  }
  return undefined;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  error.code = 'ENOTFOUND';
  return error;
}
