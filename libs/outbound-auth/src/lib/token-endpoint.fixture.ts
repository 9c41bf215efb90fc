import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedTokenRequest {
  method: string;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

export interface ScriptedAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface TokenEndpoint {
  /** `http://127.0.0.1:<port>/token` */
  url: string;
  requests: ReceivedTokenRequest[];
  close(): Promise<void>;
}

/** A scripted token endpoint on 127.0.0.1, for answers a real authorization server won't give. */
export async function startTokenEndpoint(
  answer: (request: ReceivedTokenRequest) => ScriptedAnswer | Promise<ScriptedAnswer>,
): Promise<TokenEndpoint> {
  const requests: ReceivedTokenRequest[] = [];
  const server = createServer((message, response) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', async () => {
      const request = {
        method: message.method ?? '',
        headers: message.headers,
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      };
      requests.push(request);
      const { status, body, headers } = await answer(request);
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

export function tokenAnswer(accessToken: string, expiresIn?: number): ScriptedAnswer {
  return {
    status: 200,
    body: JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn }),
  };
}
