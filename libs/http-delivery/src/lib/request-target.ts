import { allowsScheme, schemesAllowed, type EndpointPolicy } from './endpoint-policy';

export interface RequestTarget {
  origin: string;
  path: string;
  /** Why the policy forbids sending to it (its scheme), if it does. */
  refusal?: string;
}

/**
 * Parsed origin and path per endpoint URL. Deliveries go to a few thousand URLs again and again,
 * so parsing each once saves a `new URL` per request; the map is simply emptied when it grows
 * past its bound. The scheme is checked against the policy in the same parse: URLs are checked
 * when saved, and again here, at send time.
 */
export class RequestTargetCache {
  private readonly targets = new Map<string, RequestTarget | null>();

  constructor(
    private readonly policy: EndpointPolicy,
    private readonly maxEntries = 10_000,
  ) {}

  /** undefined when the URL does not parse. */
  get(url: string): RequestTarget | undefined {
    let target = this.targets.get(url);
    if (target === undefined) {
      target = parseTarget(url, this.policy);
      if (this.targets.size >= this.maxEntries) {
        this.targets.clear();
      }
      this.targets.set(url, target);
    }
    return target ?? undefined;
  }
}

function parseTarget(url: string, policy: EndpointPolicy): RequestTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const target: RequestTarget = { origin: parsed.origin, path: parsed.pathname + parsed.search };
  if (!allowsScheme(parsed.protocol, policy)) {
    target.refusal = `URL scheme ${parsed.protocol} refused: the ${policy} policy allows ${schemesAllowed(policy)} URLs only`;
  }
  return target;
}
