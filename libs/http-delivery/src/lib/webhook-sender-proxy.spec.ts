import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { AddressResolver } from './address-resolver';
import { startLocalReceiver, type LocalReceiver } from './local-receiver.fixture';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender';

interface LocalProxy {
  url: string;
  tunnels: string[];
  close: () => Promise<void>;
}

/** A forward proxy on 127.0.0.1 that opens CONNECT tunnels, or refuses them with `refuseWith`. */
async function startLocalProxy(refuseWith?: number): Promise<LocalProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    sockets.add(client);
    if (refuseWith !== undefined) {
      client.end(`HTTP/1.1 ${refuseWith} Refused\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = (request.url ?? '').split(':');
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
    refuseWith?: number,
  ): Promise<WebhookSender> {
    proxy = await startLocalProxy(refuseWith);
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

  it('asks for an IPv4 address when the name has one, and writes an IPv6 one in brackets', async () => {
    const v6 = { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 };
    const v4 = { address: '93.184.215.14', family: 4 };
    let answer = [v6, v4];
    const resolve: AddressResolver = (_hostname, _options, callback) => callback(null, answer);
    const through = await senderThroughProxy({ policy: 'public-https', resolve }, 403);
    const url = `http://dual.example.com:${receiver.port}/hook`;

    await through.send({ url, headers: {}, body: '{}' });
    answer = [v6];
    await through.send({ url: url.replace('dual', 'six'), headers: {}, body: '{}' });
    expect(proxy?.tunnels).toEqual([`${v4.address}:${receiver.port}`, `[${v6.address}]:${receiver.port}`]);
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
