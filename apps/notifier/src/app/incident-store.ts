import type { FailureKind, Incident } from './incident-policy';

export interface IncidentClaim {
  incident: Incident;
  until: Date;
}

/** Where incidents are kept, so that they and their schedule survive restarts. */
export interface IncidentStore {
  find(connectionId: string): Promise<Incident | undefined>;
  /** Open incidents, the least recently notified first. */
  listOpen(): Promise<Incident[]>;
  /** Stores a new incident, replacing the connection's previous (resolved) one. */
  open(incident: Incident): Promise<void>;
  /** Changes an open incident; does nothing to a resolved one. */
  update(
    connectionId: string,
    changes: Partial<{ kind: FailureKind; lastError: string; email: string; lastSentAt: Date }>,
  ): Promise<void>;
  /**
   * Claims the open incident for `leaseMs`, unless another caller's claim has not lapsed: the
   * incident as it reads under the claim, and when the claim lapses; or undefined. Replicas sharing
   * the table claim an incident before emailing about it, so that no two send the same email; a
   * claim lost in a crash lapses on its own. Claims lapse by the store's clock, not the callers'.
   */
  claim(connectionId: string, leaseMs: number): Promise<IncidentClaim | undefined>;
  /** Ends a claim, if it is still the one that lapses at `until`. */
  release(connectionId: string, until: Date): Promise<void>;
  /** Marks the open incident resolved; does nothing if it already is. */
  resolve(connectionId: string, resolvedAt: Date): Promise<void>;
}
