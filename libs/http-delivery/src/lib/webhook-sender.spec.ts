import type { LookupAddress } from 'node:dns';
import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import type { AddressResolver } from './address-resolver';
import {
  closedPort,
  selfSignedCertificate,
  startLocalReceiver,
  type LocalReceiver,
  type Respond,
} from './local-receiver.fixture';
import type { SendResult } from './send-result';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender';

const USER_AGENT = 'campaign-webhooks/1.2.3';
const BODY = JSON.stringify({
  event: 'message_send',
  time: 1764201600,
  properties: { profile_id: 'p-8f1c' },
});

function resolverAnswering(answers: Record<string, string>): AddressResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve: AddressResolver = (hostname, _options, callback) => {
    asked.push(hostname);
    const address = answers[hostname];
    if (address === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    } else {
      callback(null, [{ address, family: 4 } satisfies LookupAddress]);
    }
  };
  return Object.assign(resolve, { asked });
}

function respondWith(status: number, body = '', headers: Record<string, string> = {}): Respond {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };
}

/** Writes 64 KiB chunks until the client goes away, honouring backpressure; records how far it got. */
function streamEndlessly(progress: { written: number; closed: boolean }): Respond {
  return (_request, response: ServerResponse) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.on('close', () => {
      progress.closed = true;
    });
    const writeMore = (): void => {
      while (!response.destroyed) {
        progress.written += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  };
}

describe('WebhookSender', () => {
  let receiver: LocalReceiver | undefined;
  let sender: WebhookSender | undefined;

  async function setUp(
    respond: Respond,
    options: Partial<WebhookSenderOptions> = {},
  ): Promise<LocalReceiver> {
    receiver = await startLocalReceiver(respond);
    sender = new WebhookSender({ userAgent: USER_AGENT, policy: 'allow-private', ...options });
    return receiver;
  }

  function send(
    url: string,
    headers: Record<string, string> = {},
    body: Buffer | string = BODY,
  ): Promise<SendResult> {
    if (sender === undefined) {
      throw new Error('call setUp first');
    }
    return sender.send({ url, headers, body });
  }

  afterEach(async () => {
    await sender?.close();
    await receiver?.close();
    sender = undefined;
    receiver = undefined;
  });

  it('delivers a POST with the body and headers as sent, and returns the response', async () => {
    const { origin, requests } = await setUp(respondWith(200, '{"received":true}', { 'x-receiver': 'yes' }));

    const result = await send(`${origin}/hooks/xp?tenant=acme`, {
      'webhook-id': 'msg_2Kq',
      'webhook-timestamp': '1764201600',
      'webhook-signature': 'v1,abc=',
    });

    expect(result).toMatchObject({
      kind: 'response',
      status: 200,
      body: '{"received":true}',
      headers: expect.objectContaining({ 'x-receiver': 'yes', 'content-type': 'application/json' }),
    });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/xp?tenant=acme');
    expect(request.body.toString()).toBe(BODY);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'content-length': String(Buffer.byteLength(BODY)),
      'webhook-id': 'msg_2Kq',
      'webhook-timestamp': '1764201600',
      'webhook-signature': 'v1,abc=',
    });
  });

  it('sends a Buffer body byte for byte', async () => {
    const { origin, requests } = await setUp(respondWith(204));
    const body = Buffer.from('{"emoji":"🔑"}');

    await expect(send(`${origin}/`, {}, body)).resolves.toMatchObject({
      kind: 'response',
      status: 204,
      body: '',
    });
    expect(requests[0].body.equals(body)).toBe(true);
  });

  it('keeps content-type and user-agent its own, whatever the caller passes', async () => {
    const { origin, requests } = await setUp(respondWith(200));

    await send(`${origin}/`, {
      'Content-Type': 'text/plain',
      'USER-AGENT': 'spoof/1',
      authorization: 'Bearer t',
    });

    const rawNames = requests[0].rawHeaders
      .filter((_value, index) => index % 2 === 0)
      .map((name) => name.toLowerCase());
    expect(rawNames.filter((name) => name === 'content-type')).toHaveLength(1);
    expect(rawNames.filter((name) => name === 'user-agent')).toHaveLength(1);
    expect(requests[0].headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      authorization: 'Bearer t',
    });
  });

  it('returns a 500 as a response with its status and body', async () => {
    const { origin } = await setUp(respondWith(500, '{"error":"boom"}'));

    await expect(send(`${origin}/`)).resolves.toMatchObject({
      kind: 'response',
      status: 500,
      body: '{"error":"boom"}',
    });
  });

  it('returns repeated response headers as arrays', async () => {
    const { origin } = await setUp((_request, response) => {
      response.setHeader('set-cookie', ['a=1', 'b=2']);
      response.end();
    });

    const result = await send(`${origin}/`);
    expect(result.kind === 'response' && result.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('times out at timeoutMs when the endpoint never answers', async () => {
    const { origin } = await setUp(() => undefined, { timeoutMs: 300 });

    const started = Date.now();
    const result = await send(`${origin}/`);
    const elapsed = Date.now() - started;

    expect(result).toMatchObject({ kind: 'error', error: 'timeout', message: 'no response within 300 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(1000);
  });

  it('counts time spent waiting for a connection against the same deadline', async () => {
    const { origin } = await setUp(() => undefined, { timeoutMs: 300, connectionsPerOrigin: 1 });

    const started = Date.now();
    const results = await Promise.all([send(`${origin}/first`), send(`${origin}/queued`)]);

    expect(results.map((result) => result.kind === 'error' && result.error)).toEqual(['timeout', 'timeout']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not follow a redirect', async () => {
    const { origin, requests } = await setUp(respondWith(302, '', { location: '/elsewhere' }));

    await expect(send(`${origin}/hook`)).resolves.toMatchObject({
      kind: 'response',
      status: 302,
      headers: expect.objectContaining({ location: '/elsewhere' }),
    });
    expect(requests.map((request) => request.url)).toEqual(['/hook']);
  });

  it('keeps only maxResponseBytes of an endless body and hangs up on the rest', async () => {
    const progress = { written: 0, closed: false };
    const { origin } = await setUp(streamEndlessly(progress));

    const result = await send(`${origin}/`);

    expect(result.kind).toBe('response');
    expect(result.kind === 'response' && result.body).toBe('a'.repeat(64 * 1024));
    await waitFor(() => progress.closed);
  });

  it('truncates a 10 MiB body to the cap without reading it all', async () => {
    const size = 10 * 1024 * 1024;
    let finished = false;
    const { origin } = await setUp(
      (_request, response) => {
        response.writeHead(200, { 'content-length': String(size) });
        const chunk = Buffer.alloc(256 * 1024, 'b');
        let sent = 0;
        const writeMore = (): void => {
          while (sent < size && !response.destroyed) {
            sent += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', writeMore);
              return;
            }
          }
          if (sent >= size) {
            response.end(() => {
              finished = true;
            });
          }
        };
        writeMore();
      },
      { maxResponseBytes: 1000 },
    );

    const result = await send(`${origin}/`);

    expect(result).toMatchObject({ kind: 'response', status: 200, body: 'b'.repeat(1000) });
    expect(finished).toBe(false);
  });

  it('reads a body exactly at the cap whole, and keeps the connection', async () => {
    const { origin, connections } = await setUp(respondWith(200, 'c'.repeat(100)), { maxResponseBytes: 100 });

    await expect(send(`${origin}/`)).resolves.toMatchObject({ body: 'c'.repeat(100) });
    await nextTurn();
    await expect(send(`${origin}/`)).resolves.toMatchObject({ body: 'c'.repeat(100) });
    expect(connections()).toBe(1);
  });

  it('reuses keep-alive connections for an origin', async () => {
    const { origin, connections, requests } = await setUp(respondWith(200, 'ok'));

    for (let i = 0; i < 5; i += 1) {
      await expect(send(`${origin}/${i}`)).resolves.toMatchObject({ status: 200 });
      await nextTurn();
    }
    expect(connections()).toBe(1);

    // Back to back, the pool may open one more: it learns a connection is free a tick after the response.
    for (let i = 0; i < 50; i += 1) {
      await send(`${origin}/${i}`);
    }
    expect(requests).toHaveLength(55);
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it('reports a refused connection', async () => {
    await setUp(respondWith(200));
    const port = await closedPort();

    await expect(send(`http://127.0.0.1:${port}/`)).resolves.toMatchObject({
      kind: 'error',
      error: 'connection',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('reports a TLS failure when the endpoint does not speak TLS', async () => {
    const { port } = await setUp(respondWith(200));

    await expect(send(`https://127.0.0.1:${port}/`)).resolves.toMatchObject({ kind: 'error', error: 'tls' });
  });

  it('refuses an endpoint whose certificate is not trusted (self-signed)', async () => {
    let answered = 0;
    // The certificate is valid for 127.0.0.1, only untrusted.
    const tls: HttpsServer = createHttpsServer(
      selfSignedCertificate('IP:127.0.0.1'),
      (_request, response) => {
        answered++;
        response.end('{}');
      },
    );
    try {
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      sender = new WebhookSender({ userAgent: USER_AGENT, policy: 'allow-private' });

      const result = await send(`https://127.0.0.1:${(tls.address() as AddressInfo).port}/`);

      expect(result).toMatchObject({ kind: 'error', error: 'tls' });
      expect(answered).toBe(0);
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it('gives up at timeoutMs on an endpoint that trickles its headers (slow loris)', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const loris: TcpServer = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\n');
      const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 50);
      socket.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => loris.listen(0, '127.0.0.1', resolve));
    try {
      sender = new WebhookSender({ userAgent: USER_AGENT, policy: 'allow-private', timeoutMs: 400 });
      const started = Date.now();

      const result = await send(`http://127.0.0.1:${(loris.address() as AddressInfo).port}/`);

      expect(result).toMatchObject({ kind: 'error', error: 'timeout' });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => loris.close(resolve));
    }
  });

  it('reports an unusable URL without throwing', async () => {
    await setUp(respondWith(200));

    await expect(send('not a url')).resolves.toMatchObject({
      kind: 'error',
      error: 'other',
      message: 'invalid URL',
    });
    // Not retried: no attempt could ever succeed.
    await expect(send('ftp://127.0.0.1/')).resolves.toMatchObject({
      kind: 'error',
      error: 'forbidden_address',
      message: 'URL scheme ftp: refused: the allow-private policy allows http:// or https:// URLs only',
    });
  });

  it('reports a header value it cannot send without throwing', async () => {
    const { origin, requests } = await setUp(respondWith(200));

    await expect(send(`${origin}/`, { 'x-bad': 'a\r\nb: c' })).resolves.toMatchObject({
      kind: 'error',
      error: 'other',
    });
    expect(requests).toHaveLength(0);
  });

  it('binds the configured local address', async () => {
    const { origin, requests } = await setUp(respondWith(200), { localAddress: '127.0.0.2' });

    await expect(send(`${origin}/`)).resolves.toMatchObject({ status: 200 });
    expect(requests[0].remoteAddress).toBe('127.0.0.2');
  });

  it("dials only addresses of the local address's family, whatever order the name lists them in", async () => {
    // An IPv4 socket can't reach ::1 (bind EINVAL); a name answering IPv6 first must still work.
    const resolve: AddressResolver = (_hostname, _options, callback) =>
      callback(null, [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const { port, requests } = await setUp(respondWith(200), { localAddress: '127.0.0.2', resolve });

    await expect(send(`http://dual.test:${port}/`)).resolves.toMatchObject({ status: 200 });
    expect(requests[0].remoteAddress).toBe('127.0.0.2');
  });

  it('refuses a local address that is not an IP address when constructed', () => {
    expect(() => new WebhookSender({ userAgent: USER_AGENT, localAddress: 'eth0' })).toThrow(
      'localAddress must be an IP address, got "eth0"',
    );
  });

  it('dials the address its resolver gives for a name', async () => {
    const resolve = resolverAnswering({ 'receiver.test': '127.0.0.1' });
    const { port, requests } = await setUp(respondWith(200), { resolve });

    await expect(send(`http://receiver.test:${port}/`)).resolves.toMatchObject({ status: 200 });
    expect(resolve.asked).toEqual(['receiver.test']);
    expect(requests[0].headers.host).toBe(`receiver.test:${port}`);
  });

  describe('under public-https', () => {
    it('refuses plain http before resolving anything, and without retry', async () => {
      // A spy that answers nothing, so that nothing could be dialled even if it were asked.
      const resolve = resolverAnswering({});
      const { port, connections } = await setUp(respondWith(200), { policy: 'public-https', resolve });

      await expect(
        send(`http://hooks.example.com:${port}/`, { authorization: 'Bearer token-1' }),
      ).resolves.toMatchObject({
        kind: 'error',
        error: 'forbidden_address',
        message: 'URL scheme http: refused: the public-https policy allows https:// URLs only',
      });
      // Refused again from the cache of parsed URLs.
      await expect(send(`http://hooks.example.com:${port}/`)).resolves.toMatchObject({
        error: 'forbidden_address',
      });
      expect(resolve.asked).toEqual([]);
      expect(connections()).toBe(0);
    });

    it('refuses to connect to a loopback IP literal', async () => {
      const { port, connections } = await setUp(respondWith(200), { policy: 'public-https' });

      await expect(send(`https://127.0.0.1:${port}/`)).resolves.toMatchObject({
        kind: 'error',
        error: 'forbidden_address',
        message: 'refusing to connect to 127.0.0.1: loopback',
      });
      expect(connections()).toBe(0);
    });

    it('refuses a name that resolves to loopback, checking the address actually dialled', async () => {
      const resolve = resolverAnswering({ 'rebind.example.com': '127.0.0.1' });
      const { port, connections } = await setUp(respondWith(200), { policy: 'public-https', resolve });

      await expect(send(`https://rebind.example.com:${port}/`)).resolves.toMatchObject({
        kind: 'error',
        error: 'forbidden_address',
        message:
          'refusing to connect to rebind.example.com: it resolves to an address that is not public: loopback',
      });
      expect(resolve.asked).toEqual(['rebind.example.com']);
      expect(connections()).toBe(0);
    });

    it('refuses localhost through the system resolver', async () => {
      const { port, connections } = await setUp(respondWith(200), { policy: 'public-https' });

      await expect(send(`https://localhost:${port}/`)).resolves.toMatchObject({
        kind: 'error',
        error: 'forbidden_address',
      });
      expect(connections()).toBe(0);
    });

    it.each(['[::1]', '[::ffff:127.0.0.1]', '0x7f.1', '2130706433', '0.0.0.0'])(
      'refuses the loopback spelling %s',
      async (host) => {
        const { port, connections } = await setUp(respondWith(200), { policy: 'public-https' });

        await expect(send(`https://${host}:${port}/`)).resolves.toMatchObject({
          kind: 'error',
          error: 'forbidden_address',
        });
        expect(connections()).toBe(0);
      },
    );
  });
});

function nextTurn(): Promise<void> {
  return new Promise((turn) => setImmediate(turn));
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((tick) => setTimeout(tick, 10));
  }
}
