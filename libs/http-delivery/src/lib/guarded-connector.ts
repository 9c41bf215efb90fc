import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { buildConnector, errors } from 'undici';
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

export interface TunnelConnectorOptions {
  policy: EndpointPolicy;
  /** One deadline for resolving, every CONNECT tried and TLS through the tunnel. */
  timeoutMs: number;
  resolve?: AddressResolver;
}

/**
 * Wraps ProxyAgent's tunnel opener (`openTunnel`, which sends a CONNECT through the proxy's own
 * client). undici gives a request its abort hook only once connected, so nothing else bounds this
 * phase: here one deadline covers it all, calls back with a timeout, aborts a CONNECT still
 * waiting (which destroys its socket to the proxy), and destroys a tunnel mid-TLS or a late one.
 *
 * Under `public-https` the target is resolved and checked here first, and the tunnel is opened only
 * if every address is allowed, to an address checked. Given the name, the proxy would resolve it
 * again, and a name that answers differently the second time would reach an address nobody
 * checked. TLS is started here over the tunnel, still to the name: SNI and the certificate check
 * use it.
 */
export function createTunnelConnector(
  openTunnel: buildConnector.connector,
  options: TunnelConnectorOptions,
): buildConnector.connector {
  const { timeoutMs } = options;
  const lookup: LookupFunction | undefined =
    options.policy === 'public-https' ? createGuardedLookup('public-https', options.resolve) : undefined;
  // undici's connector returns the socket it opens, though its type says nothing.
  const startTls = buildConnector({ timeout: timeoutMs }) as (
    ...args: Parameters<buildConnector.connector>
  ) => Socket;
  return function connectThroughTunnel(target, callback) {
    const aborter = new AbortController();
    let tunnel: Socket | undefined;
    let secured: Socket | undefined;
    let settled = false;
    const settle = (error: Error | null, socket: Socket | null): void => {
      if (settled) {
        socket?.destroy();
        return;
      }
      settled = true;
      clearTimeout(deadline);
      if (error !== null) {
        callback(error, null);
      } else {
        callback(null, socket as Socket);
      }
    };
    const deadline = setTimeout(() => {
      settle(new errors.ConnectTimeoutError(`no connection through the proxy within ${timeoutMs} ms`), null);
      aborter.abort();
      secured?.destroy();
      tunnel?.destroy();
    }, timeoutMs);

    // `host:port` is what the CONNECT names. The tunnel is asked for as plain TCP, so that it
    // comes back here for TLS; the port is written out because ProxyAgent would default it to 80.
    const port = target.port !== '' ? target.port : target.protocol === 'https:' ? '443' : '80';
    const open = (hostname: string, orElse: (error: Error) => boolean): void => {
      const through = {
        ...target,
        hostname,
        host: `${isIP(hostname) === 6 ? `[${hostname}]` : hostname}:${port}`,
        port,
        protocol: 'http:',
        signal: aborter.signal,
      };
      openTunnel(through, (error, socket) => {
        if (settled) {
          socket?.destroy();
        } else if (error !== null) {
          if (!orElse(error)) {
            settle(error, null);
          }
        } else if (target.protocol !== 'https:') {
          settle(null, socket);
        } else {
          tunnel = socket;
          // `servername`, the name TLS sends and checks the certificate against, is the
          // target's: undici sets it from the URL.
          secured = startTls({ ...target, httpSocket: socket }, (error, socket) => settle(error, socket));
        }
      });
    };

    if (lookup === undefined || isIP(target.hostname) !== 0) {
      const refusal = lookup === undefined ? undefined : refuseForbiddenLiteral(target.hostname);
      if (refusal !== undefined) {
        process.nextTick(settle, refusal, null);
      } else {
        open(target.hostname, () => false);
      }
      return;
    }
    lookup(target.hostname, { all: true }, (error, addresses) => {
      if (settled) {
        return;
      }
      if (error !== null) {
        settle(error, null);
        return;
      }
      // Every address passed the check. IPv4 first, which more egress networks route; then each
      // other address in turn while the proxy answers that it can't reach the one before.
      const all = addresses as LookupAddress[];
      const ordered = [
        ...all.filter(({ family }) => family === 4),
        ...all.filter(({ family }) => family !== 4),
      ];
      const attempt = (index: number): void =>
        open(ordered[index].address, (failure) => {
          if (index + 1 < ordered.length && isUnreachableThroughProxy(failure)) {
            attempt(index + 1);
            return true;
          }
          return false;
        });
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
