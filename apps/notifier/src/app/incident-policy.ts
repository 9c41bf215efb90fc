/**
 * When a connection's "notify on error" address is emailed: once when its endpoint starts failing,
 * again every interval while it keeps failing, and once when a delivery succeeds. Pure: the
 * caller supplies the stored incident and the time, and carries out the decision.
 */

export const FAILURE_KINDS = ['endpoint_failing', 'circuit_open', 'auth_failure'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The three emails an incident produces (also the metric label). */
export type NotificationKind = 'failing' | 'repeat' | 'resolved';

export interface Incident {
  connectionId: string;
  projectId: string;
  email: string;
  kind: FailureKind;
  /** Start of the failure streak, as the delivery service reported it. */
  since: Date;
  lastError: string;
  lastSentAt: Date;
  /** Null while the incident is open. */
  resolvedAt: Date | null;
}

/** A failure alert (endpoint_failing, circuit_open or auth_failure) about one connection. */
export interface FailureSignal {
  connectionId: string;
  projectId: string;
  kind: FailureKind;
  since: Date;
  message: string;
}

export type FailureDecision =
  /** Email "failing" now, then store the incident (sent at `now`). */
  | { action: 'open'; incident: Incident }
  /** Already notified about this streak: record what is new, send nothing. */
  | { action: 'update'; kind: FailureKind; lastError: string }
  | { action: 'ignore' };

export function isOpen(incident: Incident | undefined): boolean {
  return incident !== undefined && incident.resolvedAt === null;
}

export function onFailure(
  current: Incident | undefined,
  signal: FailureSignal,
  email: string,
  now: Date,
): FailureDecision {
  if (current && isOpen(current)) {
    // The breaker opening says nothing new about the error itself: keep the last one.
    const lastError = signal.kind === 'circuit_open' ? current.lastError : signal.message;
    return { action: 'update', kind: signal.kind, lastError };
  }
  // An alert about a streak that already ended (a replay after a restart) must not reopen it.
  if (current && signal.since.getTime() <= current.since.getTime()) return { action: 'ignore' };
  return {
    action: 'open',
    incident: {
      connectionId: signal.connectionId,
      projectId: signal.projectId,
      email,
      kind: signal.kind,
      since: signal.since,
      lastError: signal.message,
      lastSentAt: now,
      resolvedAt: null,
    },
  };
}

/**
 * A delivery succeeded at `succeededAt` (a `recovered` alert or a delivered attempt in the
 * delivery log): it ends the open incident when it happened after the streak began; evidence from
 * before is stale.
 */
export function endsIncident(current: Incident | undefined, succeededAt: Date): boolean {
  return current !== undefined && isOpen(current) && succeededAt.getTime() > current.since.getTime();
}

export function isRepeatDue(incident: Incident, now: Date, intervalMs: number): boolean {
  return isOpen(incident) && now.getTime() - incident.lastSentAt.getTime() >= intervalMs;
}

/** How often the timer looks for due repeats: often enough that a repeat is never far late. */
export function checkPeriodMs(intervalMs: number): number {
  return Math.min(60_000, Math.max(500, Math.floor(intervalMs / 4)));
}
