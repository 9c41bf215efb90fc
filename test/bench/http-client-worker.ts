/**
 * The HTTP client alone, in a process of its own so its CPU is told apart from the receiver's:
 * `concurrency` requests in flight (closed loop) against the receiver's `/ceiling/` paths for
 * `durationS` seconds after a one-second warm-up. Prints one JSON line when measuring starts and
 * one with the counts when it ends. Run by ceiling-http.ts.
 */
import { WebhookSender } from '@campaign-webhooks/http-delivery';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent } from 'undici';

interface WorkerSettings {
  client: 'sender' | 'undici' | 'http';
  urls: string[];
  concurrency: number;
  durationS: number;
}

type Post = (url: string, headers: Record<string, string>, body: string) => Promise<boolean>;

const BODY =
  '{"event":"message_send","time":1764201600,"properties":{"message_type":"email","campaign_id":"12345",' +
  '"profile_id":"p-8f1c","device_id":null,"trigger_id":"0:1234.567","error_message":null,"user_id":"user-42",' +
  '"email":"jane@example.com","external_message_id":"ext-7"}}';

function clientFor(kind: WorkerSettings['client']): { post: Post; close(): Promise<void> } {
  if (kind === 'sender') {
    const sender = new WebhookSender({ userAgent: 'campaign-webhooks-bench', policy: 'allow-private' });
    return {
      post: async (url, headers, body) => {
        const result = await sender.send({ url, headers, body });
        return result.kind === 'response' && result.status === 200;
      },
      close: () => sender.close(),
    };
  }
  if (kind === 'undici') {
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    return {
      post: async (url, headers, body) => {
        const { origin, pathname } = new URL(url);
        const response = await agent.request({
          origin,
          path: pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        await response.body.dump();
        return response.statusCode === 200;
      },
      close: () => agent.close(),
    };
  }
  const agent = new HttpAgent({ keepAlive: true, maxSockets: Infinity });
  return {
    post: (url, headers, body) =>
      new Promise((resolve) => {
        const request = httpRequest(
          url,
          { agent, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode === 200));
            response.on('error', () => resolve(false));
          },
        );
        request.on('error', () => resolve(false));
        request.end(body);
      }),
    close: async () => agent.destroy(),
  };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]) as WorkerSettings;
  const client = clientFor(settings.client);
  let requests = 0;
  let errors = 0;
  let measuring = false;
  let running = true;
  let next = 0;
  const loop = async () => {
    while (running) {
      const url = settings.urls[next++ % settings.urls.length];
      const headers = {
        'webhook-id': `bench-${next}`,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      };
      const ok = await client.post(url, headers, BODY);
      if (!measuring) continue;
      if (ok) requests++;
      else errors++;
    }
  };
  const loops = Array.from({ length: settings.concurrency }, loop);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  measuring = true;
  const startedAt = performance.now();
  console.log(JSON.stringify({ event: 'start' }));
  await new Promise((resolve) => setTimeout(resolve, settings.durationS * 1000));
  measuring = false;
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(JSON.stringify({ event: 'end', requests, errors, seconds }));
  running = false;
  await Promise.all(loops);
  await client.close();
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
