import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { AddressResolver } from './address-resolver';
import type { EndpointPolicy } from './endpoint-policy';
import { ForbiddenAddressError } from './forbidden-address-error';
import { isForbiddenAddress } from './forbidden-address';
import { createGuardedLookup } from './guarded-lookup';

export interface GuardedConnectorOptions {
  policy: EndpointPolicy;
  connectTimeoutMs: number;
  resolve?: AddressResolver;
  /** Dial only addresses of this family: a socket bound to a local address can reach no other. */
  family?: 4 | 6;
}

/**
 * An undici connector that checks the address it dials. Names go through the guarded lookup;
 * IP literals need their own check because `net.connect` skips `lookup` for them.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: createGuardedLookup(options.policy, options.resolve),
    ...(options.family ? { family: options.family } : {}),
  });
  if (options.policy === 'allow-private') {
    return connect;
  }
  return function guardedConnect(target, callback) {
    const refusal = refuseForbiddenLiteral(target.hostname);
    if (refusal !== undefined) {
      process.nextTick(callback, refusal, null);
      return;
    }
    connect(target, callback);
  };
}

/**
 * Wraps a connector whose socket is opened by someone else (a proxy tunnel): the target is
 * resolved and checked here first, and the tunnel is opened only if every address is allowed,
 * to an address checked. Given the name, the proxy would resolve it again, and a name that
 * answers differently the second time would reach an address nobody checked. TLS still verifies
 * the certificate against the name.
 */
export function guardTunnelConnector(
  openTunnel: buildConnector.connector,
  resolve: AddressResolver | undefined,
): buildConnector.connector {
  const lookup: LookupFunction = createGuardedLookup('public-https', resolve);
  return function guardedTunnel(target, callback) {
    const refusal = refuseForbiddenLiteral(target.hostname);
    if (refusal !== undefined) {
      process.nextTick(callback, refusal, null);
      return;
    }
    if (isIP(target.hostname) !== 0) {
      openTunnel(target, callback);
      return;
    }
    lookup(target.hostname, { all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      // Every address passed the check. IPv4 first, which more egress networks route; then each
      // other address in turn while the proxy answers that it can't reach the one before.
      const all = addresses as LookupAddress[];
      const ordered = [
        ...all.filter(({ family }) => family === 4),
        ...all.filter(({ family }) => family !== 4),
      ];
      // `host` is what the CONNECT names: the name with the port, if the URL gave one.
      const port = (target.host ?? target.hostname).slice(target.hostname.length);
      const attempt = (index: number): void => {
        const { address, family } = ordered[index];
        openTunnel(
          // `servername`, the name TLS sends and checks the certificate against, stays the
          // target's: undici sets it from the URL.
          {
            ...target,
            hostname: address,
            host: `${family === 6 ? `[${address}]` : address}${port}`,
          },
          (...result) => {
            if (result[0] !== null && index + 1 < ordered.length && isUnreachableThroughProxy(result[0])) {
              attempt(index + 1);
            } else {
              callback(...result);
            }
          },
        );
      };
      attempt(0);
    });
  };
}

/**
 * The proxy answered the tunnel's CONNECT with a 5xx: it could not reach that address (a refusal,
 * such as 403 or 407, would be the same for every address).
 */
function isUnreachableThroughProxy(error: Error): boolean {
  const status = /^Proxy response \((\d{3})\)/.exec(error.message)?.[1];
  return status !== undefined && status.startsWith('5');
}

function refuseForbiddenLiteral(hostname: string): ForbiddenAddressError | undefined {
  if (isIP(hostname) === 0) {
    return undefined;
  }
  const reason = isForbiddenAddress(hostname);
  return reason === undefined ? undefined : new ForbiddenAddressError(hostname, hostname, reason);
}
