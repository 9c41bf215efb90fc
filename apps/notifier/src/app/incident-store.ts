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
    changes: Partial<{ kind: FailureKind; lastError: string; email: string }>,
  ): Promise<void>;
  /**
   * Moves an open incident's `lastSentAt` from `from` to `to`, only if it still reads `from`:
   * true when this caller made the change. Claims a repeat (and gives it back when sending
   * failed), so that replicas sharing the table never send the same repeat twice.
   */
  moveLastSent(connectionId: string, from: Date, to: Date): Promise<boolean>;
  /** Marks the open incident resolved; does nothing if it already is. */
  resolve(connectionId: string, resolvedAt: Date): Promise<void>;
}
