import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../support/connections';
import { disconnectProducer, kafka, publish } from '../support/kafka';
import { Receiver } from '../support/receiver';

const root = join(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * "Use static IP" through a real forward proxy (tinyproxy). A second delivery service, set up
 * with STATIC_EGRESS_PROXY_URL, reads deliveries from a topic of its own so the stack's delivery
 * service (set up with a bound source address) is left alone.
 */
describe('static egress through a forward proxy', () => {
  const children: ChildProcess[] = [];
  let receiver: Receiver;
  let proxyLog: string;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await receiver.close();
    await disconnectProducer();
  });

  it('sends a static-IP connection through the proxy', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tinyproxy-'));
    const proxyPort = await freePort();
    proxyLog = join(directory, 'tinyproxy.log');
    writeFileSync(
      join(directory, 'tinyproxy.conf'),
      [
        `Port ${proxyPort}`,
        'Listen 127.0.0.1',
        'Allow 127.0.0.1',
        'Timeout 30',
        'LogLevel Connect',
        `LogFile "${proxyLog}"`,
      ].join('\n'),
    );
    writeFileSync(proxyLog, '');
    children.push(spawn('tinyproxy', ['-d', '-c', join(directory, 'tinyproxy.conf')], { stdio: 'ignore' }));

    const suffix = randomUUID();
    const topics = {
      TOPIC_DELIVERIES: `webhooks.deliveries.proxy-${suffix}`,
      TOPIC_RETRIES: `webhooks.retries.proxy-${suffix}`,
    };
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
    });
    await admin.disconnect();

    const connection = await connect('acme', {
      name: 'behind a proxy',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_send'],
      channels: ['sms'],
      useStaticIp: true,
      active: true,
    });
    children.push(
      spawn(process.execPath, [join(root, 'dist', 'apps', 'delivery', 'main.js')], {
        env: {
          ...process.env,
          ...topics,
          PORT: '0',
          KAFKA_GROUP_ID: `proxy-test-${suffix}`,
          STATIC_EGRESS_LOCAL_ADDRESS: '',
          STATIC_EGRESS_PROXY_URL: `http://127.0.0.1:${proxyPort}`,
        },
        stdio: 'ignore',
      }),
    );

    const deliveryId = randomUUID();
    await publish(topics.TOPIC_DELIVERIES, [
      {
        key: connection.id,
        value: '{"hello":"through the proxy"}',
        headers: {
          'delivery-id': deliveryId,
          'connection-id': connection.id,
          'project-id': 'acme',
          event: 'message_send',
          attempt: '1',
        },
      },
    ]);

    const [request] = await receiver.waitFor(1, 60_000);
    expect(request.body).toBe('{"hello":"through the proxy"}');
    expect(request.headers['webhook-id']).toBe(deliveryId);
    await waitFor(
      () => readFileSync(proxyLog, 'utf8').includes(`127.0.0.1:${new URL(receiver.url).port}`),
      5_000,
      'the proxy logged the tunnel',
    );
  });
});
