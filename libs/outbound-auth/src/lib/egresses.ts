import { createEgressDispatcher, WebhookSender, type EndpointPolicy } from '@campaign-webhooks/http-delivery';
import type { Dispatcher } from 'undici';
import { OAuthTokenProvider } from './oauth-token-provider';
import { OutboundAuth } from './outbound-auth';

/** One way out: the sender of requests to endpoints, and the auth that fetches their tokens. */
export interface Egress {
  sender: WebhookSender;
  auth: OutboundAuth;
}

export interface EgressesOptions {
  policy: EndpointPolicy;
  timeoutMs: number;
  userAgent: string;
  /** Where "use static IP" connections leave from, if the deployment configured it. */
  staticEgress?: { localAddress?: string; proxyUrl?: string };
  onTokenFetch?: (outcome: 'ok' | 'error') => void;
}

/**
 * The default egress, and the static one when configured. A static connection's token requests
 * leave through the static egress too: its identity provider may allow only that address.
 */
export function createEgresses(options: EgressesOptions): { standard: Egress; static?: Egress } {
  const { policy, timeoutMs, userAgent, staticEgress } = options;
  const auth = (dispatcher?: Dispatcher) =>
    new OutboundAuth({
      tokens: new OAuthTokenProvider({ policy, timeoutMs, onFetch: options.onTokenFetch, dispatcher }),
    });
  const standard = { sender: new WebhookSender({ policy, timeoutMs, userAgent }), auth: auth() };
  if (!staticEgress) return { standard };
  return {
    standard,
    static: {
      sender: new WebhookSender({ policy, timeoutMs, userAgent, ...staticEgress }),
      auth: auth(createEgressDispatcher({ policy, timeoutMs, ...staticEgress })),
    },
  };
}
