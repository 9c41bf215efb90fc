import { isIP } from 'node:net';
import { Agent, Client, Pool, ProxyAgent, type Dispatcher, type buildConnector } from 'undici';
import type { AddressResolver } from './address-resolver';
import type { EndpointPolicy } from './endpoint-policy';
import { createGuardedConnector, createTunnelConnector } from './guarded-connector';

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
  const { policy, timeoutMs, resolve } = options;
  return new ProxyAgent({
    ...poolOptions,
    uri: options.proxyUrl,
    proxyTls: { timeout: timeoutMs },
    clientFactory: (proxyOrigin, proxyOptions) =>
      proxyTunnelClient(
        proxyOrigin,
        (proxyOptions as { connect: buildConnector.connector }).connect,
        timeoutMs,
      ),
    factory: (origin, factoryOptions) => {
      const tunnelOptions = factoryOptions as Pool.Options;
      const openTunnel = tunnelOptions.connect as buildConnector.connector;
      return new Pool(origin, {
        ...tunnelOptions,
        connect: createTunnelConnector(openTunnel, { policy, timeoutMs, resolve }),
      });
    },
  });
}

/**
 * ProxyAgent's client to the proxy, which it uses only to send CONNECTs (and to close). Each
 * CONNECT gets a client of its own, destroyed when the tunnel connector gives up on it: aborted
 * in a pooled client, it would leave that client dialling the proxy again, and the new socket
 * idle. Nothing is lost, since a tunnel's socket is never used for another. The proxy's answer is
 * due within the timeout too (undici's default is 300 s), a backstop for the connector's deadline.
 */
function proxyTunnelClient(
  proxyOrigin: URL,
  connect: buildConnector.connector,
  timeoutMs: number,
): Dispatcher {
  const open = new Set<Client>();
  const connectThroughProxy = async (params: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> => {
    const { signal: given, ...request } = params;
    const signal = given as AbortSignal | null | undefined;
    signal?.throwIfAborted();
    const client = new Client(proxyOrigin, { connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const giveUp = (): void => void client.destroy(signal?.reason as Error).catch(() => undefined);
    open.add(client);
    signal?.addEventListener('abort', giveUp, { once: true });
    try {
      return await client.connect(request);
    } finally {
      signal?.removeEventListener('abort', giveUp);
      open.delete(client);
      // A tunnel's socket is no longer the client's: closing leaves it open.
      void client.close().catch(() => undefined);
    }
  };
  const all = (end: (client: Client) => Promise<void>) =>
    Promise.all([...open].map(end)).then(() => undefined);
  return {
    connect: connectThroughProxy,
    close: () => all((client) => client.close()),
    destroy: () => all((client) => client.destroy()),
  } as unknown as Dispatcher;
}

function localAddressFamily(localAddress: string | undefined): 4 | 6 | undefined {
  const family = localAddress === undefined ? 0 : isIP(localAddress);
  return family === 4 || family === 6 ? family : undefined;
}
