import type { Alert, AlertKind } from '@campaign-webhooks/contracts';

interface FailureState {
  since: number;
  failures: number;
  announced: boolean;
  authAnnounced: boolean;
  circuitAnnounced: boolean;
}

/**
 * Turns a connection's attempts into alerts: `endpoint_failing` once a streak of failures is
 * long enough, `auth_failure` once per streak of credential trouble, `circuit_open` when the
 * breaker first opens in a streak (a failed half-open trial opens it again: nothing new), and
 * `recovered` at the first success after an announced failure.
 */
export class FailureAlerts {
  private readonly states = new Map<string, FailureState>();

  constructor(private readonly failuresBeforeAlert = 3) {}

  failed(connectionId: string, projectId: string, error: string, now = Date.now()): Alert | undefined {
    const state = this.stateOf(connectionId, now);
    state.failures++;
    if (state.announced || state.failures < this.failuresBeforeAlert) return undefined;
    state.announced = true;
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
    if (state.authAnnounced) return undefined;
    state.authAnnounced = true;
    state.announced = true;
    return alert(connectionId, projectId, 'auth_failure', error, state.since, now);
  }

  circuitOpened(connectionId: string, projectId: string, now = Date.now()): Alert | undefined {
    const state = this.stateOf(connectionId, now);
    if (state.circuitAnnounced) return undefined;
    state.circuitAnnounced = true;
    state.announced = true;
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
    if (!state.announced) return undefined;
    return alert(connectionId, projectId, 'recovered', 'a delivery succeeded', state.since, now);
  }

  private stateOf(connectionId: string, now: number): FailureState {
    let state = this.states.get(connectionId);
    if (!state)
      this.states.set(
        connectionId,
        (state = {
          since: now,
          failures: 0,
          announced: false,
          authAnnounced: false,
          circuitAnnounced: false,
        }),
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
