import type { LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** How long a reading of the file is used before it is read again. */
const REREAD_AFTER_MS = 10_000;

/**
 * The addresses a hosts file (`/etc/hosts`: `address name alias…`, `#` comments) gives each name,
 * read again at most every ten seconds. A missing file names nothing; one that cannot be read
 * this time (too many open files, say) keeps what it named.
 */
export class HostsFile {
  private byName = new Map<string, LookupAddress[]>();
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  addressesOf(hostname: string): LookupAddress[] {
    if (this.now() - this.readAt >= REREAD_AFTER_MS) this.read();
    return this.byName.get(nameKey(hostname)) ?? [];
  }

  private read(): void {
    this.readAt = this.now();
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.byName = new Map();
      return;
    }
    const byName = new Map<string, LookupAddress[]>();
    for (const line of text.split('\n')) {
      const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
      const family = isIP(address ?? '');
      if (family === 0) continue;
      for (const name of names) {
        const key = nameKey(name);
        const known = byName.get(key) ?? [];
        if (!known.some((each) => each.address === address)) known.push({ address, family });
        byName.set(key, known);
      }
    }
    this.byName = byName;
  }
}

/** Names compare without case, and a trailing dot (the root) changes nothing. */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
