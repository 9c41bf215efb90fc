import type { Credentials } from '@campaign-webhooks/contracts';
import type { SendResult } from '@campaign-webhooks/http-delivery';
import type { Egress } from './egresses';
import type { AuthHeaders, OutboundRequest } from './outbound-auth';

export interface WebhookTarget {
  connectionId: string;
  url: string;
}

/**
 * Sends one webhook request through `egress` with the connection's auth headers. A 401 or 403 to an
 * OAuth 2.0 token gets one more try with a new token (CONTRACT.md §3): the identity provider may
 * have revoked the cached one early. Rejects like `headersFor` when no auth headers can be had.
 */
export async function sendAuthenticated(
  egress: Egress,
  target: WebhookTarget,
  credentials: Credentials,
  request: OutboundRequest,
): Promise<SendResult> {
  const first = await sendOnce(egress, target, credentials, request);
  if (credentials.type !== 'oauth2' || !refusedCredentials(first.result)) {
    return first.result;
  }
  egress.auth.rejected(target.connectionId, credentials, first.authHeaders);
  return (await sendOnce(egress, target, credentials, request)).result;
}

async function sendOnce(
  egress: Egress,
  target: WebhookTarget,
  credentials: Credentials,
  request: OutboundRequest,
): Promise<{ result: SendResult; authHeaders: AuthHeaders }> {
  const authHeaders = await egress.auth.headersFor(target.connectionId, credentials, request);
  const result = await egress.sender.send({
    url: target.url,
    body: request.body,
    headers: { 'webhook-id': request.id, 'webhook-timestamp': String(request.timestamp), ...authHeaders },
  });
  return { result, authHeaders };
}

function refusedCredentials(result: SendResult): boolean {
  return result.kind === 'response' && (result.status === 401 || result.status === 403);
}
