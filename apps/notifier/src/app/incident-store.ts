import type { FailureKind, Incident } from './incident-policy';

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
   * Claims the open incident until `until`, unless another caller's claim runs past `now`: the
   * incident as it reads under the claim, or undefined. Replicas sharing the table claim an
   * incident before emailing about it, so that no two send the same email; a claim lost in a crash
   * lapses at `until`.
   */
  claim(connectionId: string, now: Date, until: Date): Promise<Incident | undefined>;
  /** Ends the claim made until `until`, if it is still this caller's. */
  release(connectionId: string, until: Date): Promise<void>;
  /** Marks the open incident resolved; does nothing if it already is. */
  resolve(connectionId: string, resolvedAt: Date): Promise<void>;
}
