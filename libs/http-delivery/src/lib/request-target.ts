export interface RequestTarget {
  origin: string;
  path: string;
}

/**
 * Parsed origin and path per endpoint URL. Deliveries go to a few thousand URLs again and again,
 * so parsing each once saves a `new URL` per request; the map is simply emptied when it grows
 * past its bound.
 */
export class RequestTargetCache {
  private readonly targets = new Map<string, RequestTarget | null>();

  constructor(private readonly maxEntries = 10_000) {}

  /** undefined when the URL does not parse. */
  get(url: string): RequestTarget | undefined {
    let target = this.targets.get(url);
    if (target === undefined) {
      target = parseTarget(url);
      if (this.targets.size >= this.maxEntries) {
        this.targets.clear();
      }
      this.targets.set(url, target);
    }
    return target ?? undefined;
  }
}

function parseTarget(url: string): RequestTarget | null {
  try {
    const parsed = new URL(url);
    return { origin: parsed.origin, path: parsed.pathname + parsed.search };
  } catch {
    return null;
  }
}
