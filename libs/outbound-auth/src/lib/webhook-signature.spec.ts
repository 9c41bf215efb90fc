import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { activeSigningSecrets, signWebhook, type SignedCredentials } from './webhook-signature';

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function headersOf(id: string, timestamp: number, signature: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

describe('signWebhook, checked by the standardwebhooks verifier', () => {
  const secret = newSecret();
  const body = '{"event":"message_send","time":1764201600,"properties":{"email":"jane@example.com"}}';

  it('produces one v1 signature that the verifier accepts', () => {
    const timestamp = nowSeconds();
    const signature = signWebhook({
      secrets: [secret],
      id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      timestamp,
      body,
    });

    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(
      new Webhook(secret).verify(body, headersOf('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp, signature)),
    ).toEqual(JSON.parse(body));
  });

  it('signs a Buffer body exactly as the same text', () => {
    const timestamp = nowSeconds();
    const fromBuffer = signWebhook({ secrets: [secret], id: 'd-1', timestamp, body: Buffer.from(body) });

    expect(fromBuffer).toBe(signWebhook({ secrets: [secret], id: 'd-1', timestamp, body }));
    expect(() =>
      new Webhook(secret).verify(Buffer.from(body), headersOf('d-1', timestamp, fromBuffer)),
    ).not.toThrow();
  });

  it('during a rotation, sends one signature per secret and each secret verifies on its own', () => {
    const previous = newSecret();
    const timestamp = nowSeconds();
    const signature = signWebhook({ secrets: [secret, previous], id: 'd-2', timestamp, body });
    const headers = headersOf('d-2', timestamp, signature);

    expect(signature.split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('is rejected when the body, id or timestamp was changed', () => {
    const timestamp = nowSeconds();
    const signature = signWebhook({ secrets: [secret], id: 'd-3', timestamp, body });
    const verifier = new Webhook(secret);

    expect(() =>
      verifier.verify(body.replace('jane', 'john'), headersOf('d-3', timestamp, signature)),
    ).toThrow('No matching signature found');
    expect(() => verifier.verify(body, headersOf('d-4', timestamp, signature))).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifier.verify(body, headersOf('d-3', timestamp - 1, signature))).toThrow(
      WebhookVerificationError,
    );
  });

  it('is accepted for any id, body and secret', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((id) => !/[\s,]/.test(id)),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (id, text, keyBytes) => {
          const secretOfKey = `whsec_${Buffer.from(keyBytes).toString('base64')}`;
          const timestamp = nowSeconds();
          const body = JSON.stringify({ text });
          const signature = signWebhook({ secrets: [secretOfKey], id, timestamp, body });
          new Webhook(secretOfKey).verify(body, headersOf(id, timestamp, signature));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses secrets that are not whsec_ and base64, without repeating them', () => {
    for (const bad of ['c2VjcmV0', 'whsec_', 'whsec_not base64!', 'whsec_YQ=x']) {
      expect(() => signWebhook({ secrets: [bad], id: 'd', timestamp: 1, body: '' })).toThrow(
        /^a signing secret must be "whsec_" followed by non-empty base64$/,
      );
    }
  });

  it('refuses an empty secret list and timestamps that are not whole seconds', () => {
    expect(() => signWebhook({ secrets: [], id: 'd', timestamp: 1, body: '' })).toThrow(TypeError);
    expect(() => signWebhook({ secrets: [secret], id: 'd', timestamp: Date.now() / 1000, body: '' })).toThrow(
      TypeError,
    );
  });
});

describe('activeSigningSecrets', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  const rotated = (previousSecretExpiresAt?: string): SignedCredentials => ({
    type: 'signed',
    secret: 'whsec_bmV3',
    previousSecret: 'whsec_b2xk',
    previousSecretExpiresAt,
  });

  it('is the current secret alone when nothing was rotated', () => {
    expect(activeSigningSecrets({ type: 'signed', secret: 'whsec_bmV3' }, now)).toEqual(['whsec_bmV3']);
  });

  it('keeps the previous secret until it expires', () => {
    expect(activeSigningSecrets(rotated('2026-11-27T12:00:01Z'), now)).toEqual(['whsec_bmV3', 'whsec_b2xk']);
    expect(activeSigningSecrets(rotated('2026-11-27T12:00:00Z'), now)).toEqual(['whsec_bmV3']);
    expect(activeSigningSecrets(rotated('2026-11-27T11:00:00Z'), now)).toEqual(['whsec_bmV3']);
  });

  it('drops a previous secret with no readable expiry, or equal to the current one', () => {
    expect(activeSigningSecrets(rotated(undefined), now)).toEqual(['whsec_bmV3']);
    expect(activeSigningSecrets(rotated('soon'), now)).toEqual(['whsec_bmV3']);
    expect(
      activeSigningSecrets(
        {
          type: 'signed',
          secret: 'whsec_bmV3',
          previousSecret: 'whsec_bmV3',
          previousSecretExpiresAt: '2999-01-01',
        },
        now,
      ),
    ).toEqual(['whsec_bmV3']);
  });
});
