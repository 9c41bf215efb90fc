/** A part's readiness: true or false, or why it is not ready (an empty list means ready). */
export type ReadinessCheck = () => boolean | string[] | Promise<boolean | string[]>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
  /** Per part that said why it is not ready, its reasons. */
  reasons: Record<string, string[]>;
}

/** What a service must have to take work: each part registers a named check. */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async evaluate(): Promise<ReadinessReport> {
    const checks: Record<string, boolean> = {};
    const reasons: Record<string, string[]> = {};
    for (const [name, check] of this.checks) {
      try {
        const result = await check();
        checks[name] = Array.isArray(result) ? result.length === 0 : result;
        if (Array.isArray(result) && result.length > 0) reasons[name] = result;
      } catch {
        checks[name] = false;
      }
    }
    return { ready: Object.values(checks).every(Boolean), checks, reasons };
  }
}
