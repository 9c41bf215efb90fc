import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Never answer (the sender's timeout decides). */
  hang?: boolean;
  /** Answer this much later. */
  delayMs?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /** The address the request came from. */
  remoteAddress: string;
}

/** A real HTTP endpoint on loopback that records every request it gets. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private reply: (request: ReceivedRequest, index: number) => Reply = () => ({ status: 200 });

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hook`;
  }

  answerWith(status: number): void {
    this.reply = () => ({ status });
  }

  /** Decides each answer from the request and its index (0 for the first request). */
  behave(reply: (request: ReceivedRequest, index: number) => Reply): void {
    this.reply = reply;
  }

  /** Resolves once `count` requests have arrived, or fails after the timeout. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} requests, got ${this.requests.length} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.requests;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private listen(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received: ReceivedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
          remoteAddress: request.socket.remoteAddress ?? '',
        };
        this.requests.push(received);
        const reply = this.reply(received, this.requests.length - 1);
        if (reply.hang) return;
        const answer = () =>
          response
            .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
            .end('{}');
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    return new Promise((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }
}
