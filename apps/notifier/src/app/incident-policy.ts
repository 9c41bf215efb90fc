/**
 * When a connection's "notify on error" address is emailed: when its endpoint starts failing,
 * again every interval while it keeps failing, and once when a delivery succeeds; at most one
 * "failing" or repeat email per interval, so that an endpoint that flaps is not a stream of
 * failing and resolved pairs. Pure: the caller supplies the stored incident and the time, and
 * carries out the decision.
 */

export const FAILURE_KINDS = ['endpoint_failing', 'circuit_open', 'auth_failure'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The three emails an incident produces (also the metric label). */
export type NotificationKind = 'failing' | 'repeat' | 'resolved';

export interface Incident {
  connectionId: string;
  projectId: string;
  /** The address last emailed about this incident; empty while nobody has been. */
  email: string;
  kind: FailureKind;
  /** Start of the failure streak, as the delivery service reported it. */
  since: Date;
  lastError: string;
  /** When the last "failing" or repeat email about the connection went out, in any incident. */
  lastSentAt: Date;
  /** Null while the incident is open; then the time of the success that ended it. */
  resolvedAt: Date | null;
}

/** The `lastSentAt` of a connection never emailed about. */
export const NEVER_SENT = new Date(0);

/** A failure alert (endpoint_failing, circuit_open or auth_failure) about one connection. */
export interface FailureSignal {
  connectionId: string;
  projectId: string;
  kind: FailureKind;
  since: Date;
  /** When delivery raised the alert. */
  time: Date;
  message: string;
}

export type FailureDecision =
  /** Store the incident, not yet emailed about: the caller emails now if `isEmailDue`. */
  | { action: 'open'; incident: Incident }
  /** Already open: record what is new, send nothing. */
  | { action: 'update'; kind: FailureKind; lastError: string }
  | { action: 'ignore' };

export function isOpen(incident: Incident | undefined): boolean {
  return incident !== undefined && incident.resolvedAt === null;
}

export function onFailure(current: Incident | undefined, signal: FailureSignal): FailureDecision {
  if (current && isOpen(current)) {
    // The breaker opening says nothing new about the error itself: keep the last one.
    const lastError = signal.kind === 'circuit_open' ? current.lastError : signal.message;
    return { action: 'update', kind: signal.kind, lastError };
  }
  // Raised before the success that ended the incident: a replay of the alerts topic, about a
  // streak that is over. Its `since` cannot tell: a delivery replica that missed the success
  // announces a new outage with the start of its stale streak.
  const resolvedAt = current?.resolvedAt;
  if (resolvedAt && signal.time.getTime() <= resolvedAt.getTime()) return { action: 'ignore' };
  const since = resolvedAt && resolvedAt.getTime() > signal.since.getTime() ? resolvedAt : signal.since;
  return {
    action: 'open',
    incident: {
      connectionId: signal.connectionId,
      projectId: signal.projectId,
      email: '',
      kind: signal.kind,
      since,
      lastError: signal.message,
      lastSentAt: current?.lastSentAt ?? NEVER_SENT,
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

/** A "resolved" email is owed only to whom a "failing" or repeat one went. */
export function owesResolvedEmail(incident: Incident): boolean {
  return incident.email !== '';
}

/** The open incident's next email: "failing" if nobody has heard of it yet, else a repeat. */
export function failingEmailKind(incident: Incident): NotificationKind {
  return incident.email === '' ? 'failing' : 'repeat';
}

export function isEmailDue(incident: Incident, now: Date, intervalMs: number): boolean {
  return isOpen(incident) && now.getTime() - incident.lastSentAt.getTime() >= intervalMs;
}

/** How often the timer looks for due repeats: often enough that a repeat is never far late. */
export function checkPeriodMs(intervalMs: number): number {
  return Math.min(60_000, Math.max(500, Math.floor(intervalMs / 4)));
}
