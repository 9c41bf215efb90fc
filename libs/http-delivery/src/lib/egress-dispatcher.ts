import { isIP } from 'node:net';
import { Agent, Pool, ProxyAgent, type Dispatcher, type buildConnector } from 'undici';
import type { AddressResolver } from './address-resolver';
import type { EndpointPolicy } from './endpoint-policy';
import { createGuardedConnector, guardTunnelConnector } from './guarded-connector';

export interface EgressOptions {
  policy: EndpointPolicy;
  timeoutMs: number;
  connectionsPerOrigin?: number;
  localAddress?: string;
  proxyUrl?: string;
  resolve?: AddressResolver;
}

/**
 * Keep-alive pools per origin and every dialled address checked against the policy. Redirects
 * are never followed: undici's dispatch has no redirect handling unless an interceptor adds it.
 */
export function createEgressDispatcher(options: EgressOptions): Dispatcher {
  const poolOptions = {
    connections: options.connectionsPerOrigin ?? null,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  };
  if (options.proxyUrl === undefined) {
    return new Agent({
      ...poolOptions,
      localAddress: options.localAddress,
      connect: createGuardedConnector({
        policy: options.policy,
        connectTimeoutMs: options.timeoutMs,
        resolve: options.resolve,
        family: localAddressFamily(options.localAddress),
      }),
    });
  }
  if (options.localAddress !== undefined) {
    throw new Error('choose one static egress: a local address or a proxy URL, not both');
  }
  const resolve = options.resolve;
  return new ProxyAgent({
    ...poolOptions,
    uri: options.proxyUrl,
    proxyTls: { timeout: options.timeoutMs },
    factory:
      options.policy === 'public-https'
        ? (origin, factoryOptions) => {
            const tunnelOptions = factoryOptions as Pool.Options;
            const openTunnel = tunnelOptions.connect as buildConnector.connector;
            return new Pool(origin, { ...tunnelOptions, connect: guardTunnelConnector(openTunnel, resolve) });
          }
        : undefined,
  });
}

function localAddressFamily(localAddress: string | undefined): 4 | 6 | undefined {
  const family = localAddress === undefined ? 0 : isIP(localAddress);
  return family === 4 || family === 6 ? family : undefined;
}
