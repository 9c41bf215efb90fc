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
}

/**
 * An undici connector that checks the address it dials. Names go through the guarded lookup;
 * IP literals need their own check because `net.connect` skips `lookup` for them.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: createGuardedLookup(options.policy, options.resolve),
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
 * resolved and checked here first, and the tunnel is opened only if every address is allowed.
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
    lookup(target.hostname, { all: true }, (error) => {
      if (error !== null) {
        callback(error, null);
      } else {
        openTunnel(target, callback);
      }
    });
  };
}

function refuseForbiddenLiteral(hostname: string): ForbiddenAddressError | undefined {
  if (isIP(hostname) === 0) {
    return undefined;
  }
  const reason = isForbiddenAddress(hostname);
  return reason === undefined ? undefined : new ForbiddenAddressError(hostname, hostname, reason);
}
