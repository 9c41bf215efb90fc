import type { Alert, AlertKind } from '@campaign-webhooks/contracts';

interface FailureState {
  since: number;
  lastFailureAt: number;
  failures: number;
  /** The failure kinds raised in this streak (published, or on their way). */
  announced: Set<AlertKind>;
}

/**
 * A streak with no failure for this long is over as far as this replica can tell: the
 * connection's partition may have moved to another replica, which saw the endpoint recover. A
 * failure after it starts a new streak, announced anew (the notifier only updates an incident
 * still open).
 */
const STREAK_GAP_MS = 3_600_000;

/**
 * Turns a connection's attempts into alerts: `endpoint_failing` once a streak of failures is
 * long enough, `auth_failure` once per streak of credential trouble, `circuit_open` when the
 * breaker first opens in a streak (a failed half-open trial opens it again: nothing new), and
 * `recovered` at the first success after an announced failure. An alert the broker did not take
 * is handed back with `notPublished`, so that it is raised again.
 */
export class FailureAlerts {
  private readonly states = new Map<string, FailureState>();

  constructor(
    private readonly failuresBeforeAlert = 3,
    private readonly streakGapMs = STREAK_GAP_MS,
  ) {}

  failed(connectionId: string, projectId: string, error: string, now = Date.now()): Alert | undefined {
    const state = this.stateOf(connectionId, now);
    state.failures++;
    state.lastFailureAt = now;
    if (state.announced.size > 0 || state.failures < this.failuresBeforeAlert) return undefined;
    state.announced.add('endpoint_failing');
    return alert(
      connectionId,
      projectId,
      'endpoint_failing',
      `${state.failures} attempts failed in a row; last: ${error}`,
      state.since,
      now,
    );
  }

  authFailed(connectionId: string, projectId: string, error: string, now = Date.now()): Alert | undefined {
    const state = this.stateOf(connectionId, now);
    state.failures++;
    state.lastFailureAt = now;
    if (state.announced.has('auth_failure')) return undefined;
    state.announced.add('auth_failure');
    return alert(connectionId, projectId, 'auth_failure', error, state.since, now);
  }

  circuitOpened(connectionId: string, projectId: string, now = Date.now()): Alert | undefined {
    const state = this.stateOf(connectionId, now);
    if (state.announced.has('circuit_open')) return undefined;
    state.announced.add('circuit_open');
    return alert(
      connectionId,
      projectId,
      'circuit_open',
      'circuit breaker opened; deliveries wait for the retry path',
      state.since,
      now,
    );
  }

  succeeded(connectionId: string, projectId: string, now = Date.now()): Alert | undefined {
    const state = this.states.get(connectionId);
    if (!state) return undefined;
    this.states.delete(connectionId);
    if (state.announced.size === 0) return undefined;
    return alert(connectionId, projectId, 'recovered', 'a delivery succeeded', state.since, now);
  }

  /**
   * The broker did not acknowledge `sent`: its streak counts it as not raised, so the next
   * attempt (the same record, handled again) raises it again.
   */
  notPublished(sent: Alert): void {
    const since = Date.parse(sent.since ?? sent.time);
    const state = this.states.get(sent.connection_id);
    if (sent.kind === 'recovered') {
      // The streak it ended is open again, unless a failure since has started the next one.
      if (!state)
        this.states.set(sent.connection_id, {
          since,
          lastFailureAt: Date.parse(sent.time),
          failures: this.failuresBeforeAlert,
          announced: new Set(['endpoint_failing']),
        });
      return;
    }
    if (state?.since === since) state.announced.delete(sent.kind);
  }

  private stateOf(connectionId: string, now: number): FailureState {
    let state = this.states.get(connectionId);
    if (!state || now - state.lastFailureAt >= this.streakGapMs)
      this.states.set(
        connectionId,
        (state = { since: now, lastFailureAt: now, failures: 0, announced: new Set() }),
      );
    return state;
  }
}

function alert(
  connectionId: string,
  projectId: string,
  kind: AlertKind,
  message: string,
  since: number,
  now: number,
): Alert {
  return {
    connection_id: connectionId,
    project_id: projectId,
    kind,
    message,
    since: new Date(since).toISOString(),
    time: new Date(now).toISOString(),
  };
}
