import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { AddressResolver } from './address-resolver';
import { selfSignedCertificate, startLocalReceiver, type LocalReceiver } from './local-receiver.fixture';
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
      through.send({ url: `${receiver.origin}/hook`, headers: {}, body: '{}' }),
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
      through.send({ url: `http://rebind.example.com:${receiver.port}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({
      kind: 'error',
      error: 'forbidden_address',
      message: 'refusing to connect to rebind.example.com at 127.0.0.1: loopback',
    });
    expect(proxy?.tunnels).toEqual([]);
  });

  it('asks the proxy for the address it checked, not the name, which could answer differently', async () => {
    const answers = ['93.184.215.14', '127.0.0.1'];
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [{ address: answers.shift() ?? '127.0.0.1', family: 4 }]);
    // The proxy refuses: the CONNECT it was asked for is what counts.
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 403);

    await through.send({ url: `http://rebind.example.com:${receiver.port}/hook`, headers: {}, body: '{}' });
    expect(proxy?.tunnels).toEqual([`93.184.215.14:${receiver.port}`]);
  });

  it('asks for an IPv4 address first, then the IPv6 one, written in brackets', async () => {
    const v6 = { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 };
    const v4 = { address: '93.184.215.14', family: 4 };
    const resolve: AddressResolver = (_hostname, _options, callback) => callback(null, [v6, v4]);
    // The proxy reaches neither: the CONNECTs it was asked for are what count.
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 502);

    await through.send({ url: `http://dual.example.com:${receiver.port}/hook`, headers: {}, body: '{}' });
    expect(proxy?.tunnels).toEqual([`${v4.address}:${receiver.port}`, `[${v6.address}]:${receiver.port}`]);
  });

  it('tries the next address when the proxy cannot reach one', async () => {
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '93.184.215.15', family: 4 },
      ]);
    // The first address is down; the proxy reaches the second (this test's receiver).
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, (requested) =>
      requested.startsWith('93.184.215.14:') ? 502 : `127.0.0.1:${receiver.port}`,
    );

    await expect(
      through.send({ url: `http://hooks.example.com:${receiver.port}/hook`, headers: {}, body: '{}' }),
    ).resolves.toMatchObject({ kind: 'response', status: 200 });
    expect(proxy?.tunnels).toEqual([`93.184.215.14:${receiver.port}`, `93.184.215.15:${receiver.port}`]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('does not try another address when the proxy refuses the tunnel itself', async () => {
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '93.184.215.15', family: 4 },
      ]);
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 407);

    await expect(
      through.send({ url: `http://hooks.example.com:${receiver.port}/hook`, headers: {}, body: '{}' }),
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
