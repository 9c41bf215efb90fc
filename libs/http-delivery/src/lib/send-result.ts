export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer | string;
}

export type SendErrorKind = 'timeout' | 'connection' | 'forbidden_address' | 'tls' | 'other';

export type SendResult =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[]>;
      /** The first `maxResponseBytes` of the body, decoded as UTF-8; the rest is never read. */
      body: string;
      durationMs: number;
    }
  | { kind: 'error'; error: SendErrorKind; message: string; durationMs: number };
