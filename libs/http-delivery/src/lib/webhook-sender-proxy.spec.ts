import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { AddressResolver } from './address-resolver';
import { selfSignedCertificate, startLocalReceiver, type LocalReceiver } from './local-receiver.fixture';
import type { SendResult } from './send-result';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender';

interface LocalProxy {
  url: string;
  tunnels: string[];
  close: () => Promise<void>;
}

/**
 * A forward proxy on 127.0.0.1 that opens CONNECT tunnels. `route` may send a tunnel elsewhere
 * than it asks for (`host:port`), or refuse it with a status code.
 */
async function startLocalProxy(
  route: (requested: string) => string | number = (requested) => requested,
): Promise<LocalProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    sockets.add(client);
    const upstreamTarget = route(request.url ?? '');
    if (typeof upstreamTarget === 'number') {
      client.end(`HTTP/1.1 ${upstreamTarget} Refused\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = upstreamTarget.split(/:(?=\d+$)/);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((closed) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => closed());
      }),
  };
}

interface QuietProxy {
  url: string;
  /** The target of each CONNECT received. */
  connects: string[];
  /** Connections from the sender still open. */
  openSockets: () => number;
  close: () => Promise<void>;
}

/**
 * A proxy on 127.0.0.1 that accepts connections and reads CONNECT requests, then answers `never`,
 * or `200` and then never a byte more (`tunnel`), or a status code after a delay.
 */
async function startQuietProxy(
  answer: 'never' | 'tunnel' | { status: number; afterMs: number },
): Promise<QuietProxy> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (head.includes('\r\n\r\n')) {
        return; // through the tunnel, to nowhere
      }
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) {
        return;
      }
      connects.push(head.split(' ')[1]);
      if (answer === 'tunnel') {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      } else if (answer !== 'never') {
        const reply = setTimeout(
          () => socket.end(`HTTP/1.1 ${answer.status} Unreachable\r\ncontent-length: 0\r\n\r\n`),
          answer.afterMs,
        );
        socket.on('close', () => clearTimeout(reply));
      }
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((closed) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => closed());
      }),
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((tick) => setTimeout(tick, 10));
  }
}

describe('WebhookSender through a proxy', () => {
  let receiver: LocalReceiver;
  let proxy: LocalProxy | undefined;
  let sender: WebhookSender | undefined;

  beforeEach(async () => {
    receiver = await startLocalReceiver((_request, response) => response.end('ok'));
  });

  afterEach(async () => {
    await sender?.close();
    await proxy?.close();
    await receiver.close();
    sender = undefined;
    proxy = undefined;
  });

  async function senderThroughProxy(
    options: Partial<WebhookSenderOptions>,
    route?: number | ((requested: string) => string | number),
  ): Promise<WebhookSender> {
    proxy = await startLocalProxy(typeof route === 'number' ? () => route : route);
    sender = new WebhookSender({ userAgent: 'campaign-webhooks/1.2.3', proxyUrl: proxy.url, ...options });
    return sender;
  }

  it('delivers through a CONNECT tunnel', async () => {
    const through = await senderThroughProxy({ policy: 'allow-private' });

    const result = await through.send({
      url: `${receiver.origin}/hook`,
      headers: { 'webhook-id': 'msg_1' },
      body: '{}',
    });

    expect(result).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
    expect(proxy?.tunnels).toEqual([`127.0.0.1:${receiver.port}`]);
    expect(receiver.requests[0]).toMatchObject({
      url: '/hook',
      headers: expect.objectContaining({ 'webhook-id': 'msg_1' }),
    });
  });

  it('refuses a forbidden IP literal before opening a tunnel', async () => {
    const through = await senderThroughProxy({ policy: 'public-https' });

    await expect(
      through.send({ url: `https://127.0.0.1:${receiver.port}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({
      kind: 'error',
      error: 'forbidden_address',
      message: 'refusing to connect to 127.0.0.1: loopback',
    });
    expect(proxy?.tunnels).toEqual([]);
  });

  it('refuses a name that resolves to a forbidden address before opening a tunnel', async () => {
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const through = await senderThroughProxy({ policy: 'public-https', resolve });

    await expect(
      through.send({ url: `https://rebind.example.com:${receiver.port}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({
      kind: 'error',
      error: 'forbidden_address',
      message:
        'refusing to connect to rebind.example.com: it resolves to an address that is not public: loopback',
    });
    expect(proxy?.tunnels).toEqual([]);
  });

  it('asks the proxy for the address it checked, not the name, which could answer differently', async () => {
    const answers = ['93.184.215.14', '127.0.0.1'];
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [{ address: answers.shift() ?? '127.0.0.1', family: 4 }]);
    // The proxy refuses: the CONNECT it was asked for is what counts.
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 403);

    await through.send({ url: `https://rebind.example.com:${receiver.port}/hook`, headers: {}, body: '{}' });
    expect(proxy?.tunnels).toEqual([`93.184.215.14:${receiver.port}`]);
  });

  it('asks for an IPv4 address first, then the IPv6 one, written in brackets', async () => {
    const v6 = { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 };
    const v4 = { address: '93.184.215.14', family: 4 };
    const resolve: AddressResolver = (_hostname, _options, callback) => callback(null, [v6, v4]);
    // The proxy reaches neither: the CONNECTs it was asked for are what count.
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 502);

    await through.send({ url: `https://dual.example.com:${receiver.port}/hook`, headers: {}, body: '{}' });
    expect(proxy?.tunnels).toEqual([`${v4.address}:${receiver.port}`, `[${v6.address}]:${receiver.port}`]);
  });

  it('tries the next address when the proxy cannot reach one', async () => {
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '93.184.215.15', family: 4 },
      ]);
    // The first address is down; the proxy reaches the second (this test's receiver, which
    // speaks plain http: TLS fails there, which shows the tunnel reached it).
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, (requested) =>
      requested.startsWith('93.184.215.14:') ? 502 : `127.0.0.1:${receiver.port}`,
    );

    await expect(
      through.send({ url: `https://hooks.example.com:${receiver.port}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({ kind: 'error', error: 'tls' });
    expect(proxy?.tunnels).toEqual([`93.184.215.14:${receiver.port}`, `93.184.215.15:${receiver.port}`]);
    expect(receiver.connections()).toBe(1);
  });

  it('does not try another address when the proxy refuses the tunnel itself', async () => {
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '93.184.215.15', family: 4 },
      ]);
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 407);

    await expect(
      through.send({ url: `https://hooks.example.com:${receiver.port}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({ kind: 'error', error: 'connection', message: expect.stringContaining('407') });
    expect(proxy?.tunnels).toEqual([`93.184.215.14:${receiver.port}`]);
  });

  it('opens TLS through the tunnel to the name, not the address it asked the proxy for', async () => {
    const servernames: string[] = [];
    const tls: HttpsServer = createHttpsServer(
      {
        ...selfSignedCertificate('DNS:hooks.example.com'),
        SNICallback: (servername, done) => {
          servernames.push(servername);
          done(null);
        },
      },
      (_request, response) => response.end('{}'),
    );
    await new Promise<void>((listening) => tls.listen(0, '127.0.0.1', listening));
    const { port } = tls.address() as AddressInfo;
    try {
      const resolve: AddressResolver = (_hostname, _options, callback) =>
        callback(null, [{ address: '93.184.215.14', family: 4 }]);
      const through = await senderThroughProxy(
        { policy: 'public-https', resolve },
        () => `127.0.0.1:${port}`,
      );

      const result = await through.send({
        url: `https://hooks.example.com:${port}/hook`,
        headers: {},
        body: '{}',
      });

      // The certificate names the host but nobody trusts it: TLS checked it, and refused it.
      expect(result).toMatchObject({ kind: 'error', error: 'tls' });
      expect(proxy?.tunnels).toEqual([`93.184.215.14:${port}`]);
      expect(servernames).toEqual(['hooks.example.com']);
    } finally {
      tls.closeAllConnections();
      await new Promise((closed) => tls.close(closed));
    }
  });

  it('reports a proxy that refuses the tunnel as a connection error', async () => {
    const through = await senderThroughProxy({ policy: 'allow-private' }, 403);

    await expect(
      through.send({ url: `${receiver.origin}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({
      kind: 'error',
      error: 'connection',
      message: expect.stringContaining('403'),
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses to be given both a local address and a proxy', () => {
    expect(
      () =>
        new WebhookSender({ userAgent: 'x/1', localAddress: '127.0.0.2', proxyUrl: 'http://127.0.0.1:3128' }),
    ).toThrow('choose one static egress: a local address or a proxy URL, not both');
  });
});

describe('WebhookSender through a proxy that does not answer in time', () => {
  const timeoutMs = 500;
  const margin = 300;
  const publicAddress: AddressResolver = (_hostname, _options, callback) =>
    callback(null, [{ address: '93.184.215.14', family: 4 }]);
  let quiet: QuietProxy | undefined;
  let sender: WebhookSender | undefined;

  afterEach(async () => {
    // The proxy first: before the fix, a sender's close would wait for its tunnels.
    await quiet?.close();
    await sender?.close();
    quiet = undefined;
    sender = undefined;
  });

  async function sendAll(url: string, count: number): Promise<{ results: SendResult[]; elapsedMs: number }> {
    const startedAt = performance.now();
    const results = await Promise.all(
      Array.from(
        { length: count },
        () => sender?.send({ url, headers: {}, body: '{}' }) as Promise<SendResult>,
      ),
    );
    return { results, elapsedMs: performance.now() - startedAt };
  }

  it.each([
    ['allow-private', 'http://127.0.0.1:9/hook'],
    ['public-https', 'https://hooks.example.com/hook'],
  ] as const)(
    'under %s, gives up on a CONNECT never answered at the timeout, and closes its sockets',
    async (policy, url) => {
      quiet = await startQuietProxy('never');
      sender = new WebhookSender({
        userAgent: 'x/1',
        policy,
        timeoutMs,
        proxyUrl: quiet.url,
        resolve: publicAddress,
      });

      for (const batch of [1, 2]) {
        const { results, elapsedMs } = await sendAll(url, 10);

        expect(results).toEqual(Array(10).fill(expect.objectContaining({ kind: 'error', error: 'timeout' })));
        expect(elapsedMs).toBeLessThan(timeoutMs + margin);
        expect(quiet.connects.length).toBeGreaterThanOrEqual(batch);
        await waitFor(() => quiet?.openSockets() === 0, margin * 2);
      }
    },
  );

  it('gives up on TLS through a tunnel that goes quiet, and closes the tunnel', async () => {
    quiet = await startQuietProxy('tunnel');
    sender = new WebhookSender({ userAgent: 'x/1', timeoutMs, proxyUrl: quiet.url, resolve: publicAddress });

    const { results, elapsedMs } = await sendAll('https://hooks.example.com/hook', 3);

    expect(results).toEqual(Array(3).fill(expect.objectContaining({ kind: 'error', error: 'timeout' })));
    expect(elapsedMs).toBeLessThan(timeoutMs + margin);
    expect(quiet.connects).toContain('93.184.215.14:443');
    await waitFor(() => quiet?.openSockets() === 0, margin * 2);
  });

  it('tries no further address once the timeout has passed', async () => {
    // Each CONNECT is refused as unreachable after 300 ms: a third would start at 600 ms.
    quiet = await startQuietProxy({ status: 502, afterMs: 300 });
    const threeAddresses: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '93.184.215.15', family: 4 },
        { address: '93.184.215.16', family: 4 },
      ]);
    sender = new WebhookSender({ userAgent: 'x/1', timeoutMs, proxyUrl: quiet.url, resolve: threeAddresses });

    const { results, elapsedMs } = await sendAll('https://hooks.example.com/hook', 1);

    expect(results).toEqual([expect.objectContaining({ kind: 'error', error: 'timeout' })]);
    expect(elapsedMs).toBeLessThan(timeoutMs + margin);
    await new Promise((later) => setTimeout(later, 400));
    expect(quiet.connects).toEqual(['93.184.215.14:443', '93.184.215.15:443']);
    expect(quiet.openSockets()).toBe(0);
  });
});
