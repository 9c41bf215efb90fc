import {
  checkPeriodMs,
  endsIncident,
  isRepeatDue,
  onFailure,
  type FailureSignal,
  type Incident,
} from './incident-policy';

const at = (seconds: number) => new Date(Date.UTC(2025, 10, 27, 9, 0, seconds));
const HOUR = 3_600_000;

function signal(overrides: Partial<FailureSignal> = {}): FailureSignal {
  return {
    connectionId: 'c-1',
    projectId: 'acme',
    kind: 'endpoint_failing',
    since: at(0),
    message: '3 attempts failed in a row; last: http_500',
    ...overrides,
  };
}

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    connectionId: 'c-1',
    projectId: 'acme',
    email: 'ops@example.com',
    kind: 'endpoint_failing',
    since: at(0),
    lastError: 'http_500',
    lastSentAt: at(10),
    resolvedAt: null,
    ...overrides,
  };
}

describe('incident policy', () => {
  describe('a failure alert', () => {
    it('opens an incident, sent now, when there is none', () => {
      expect(onFailure(undefined, signal(), 'ops@example.com', at(10))).toEqual({
        action: 'open',
        incident: incident({ lastError: '3 attempts failed in a row; last: http_500' }),
      });
    });

    it('only updates an open incident: one email per streak', () => {
      expect(
        onFailure(incident(), signal({ kind: 'auth_failure', message: 'http_401' }), 'x@y', at(20)),
      ).toEqual({
        action: 'update',
        kind: 'auth_failure',
        lastError: 'http_401',
      });
    });

    it('keeps the last error when the news is only that the breaker opened', () => {
      const decision = onFailure(
        incident(),
        signal({ kind: 'circuit_open', message: 'circuit breaker opened' }),
        '',
        at(20),
      );
      expect(decision).toEqual({ action: 'update', kind: 'circuit_open', lastError: 'http_500' });
    });

    it('does not reopen a resolved incident for an alert about the same streak (a replay)', () => {
      const resolved = incident({ resolvedAt: at(30) });
      expect(onFailure(resolved, signal({ since: at(0) }), 'ops@example.com', at(40)).action).toBe('ignore');
    });

    it('opens a new incident for a later streak after a resolved one', () => {
      const resolved = incident({ resolvedAt: at(30) });
      const decision = onFailure(resolved, signal({ since: at(35) }), 'new@example.com', at(40));
      expect(decision).toMatchObject({
        action: 'open',
        incident: { since: at(35), email: 'new@example.com', lastSentAt: at(40), resolvedAt: null },
      });
    });
  });

  describe('a success', () => {
    it('ends an open incident when it happened after the streak began', () => {
      expect(endsIncident(incident(), at(1))).toBe(true);
    });

    it('is stale when it happened before the streak began, or at the same instant', () => {
      expect(endsIncident(incident({ since: at(5) }), at(4))).toBe(false);
      expect(endsIncident(incident({ since: at(5) }), at(5))).toBe(false);
    });

    it('ends nothing that is not open', () => {
      expect(endsIncident(undefined, at(1))).toBe(false);
      expect(endsIncident(incident({ resolvedAt: at(2) }), at(3))).toBe(false);
    });
  });

  describe('repeats', () => {
    it('are due once the interval has passed since the last email', () => {
      const open = incident({ lastSentAt: at(0) });
      expect(isRepeatDue(open, new Date(at(0).getTime() + HOUR - 1), HOUR)).toBe(false);
      expect(isRepeatDue(open, new Date(at(0).getTime() + HOUR), HOUR)).toBe(true);
    });

    it('are never due for a resolved incident', () => {
      expect(
        isRepeatDue(
          incident({ lastSentAt: at(0), resolvedAt: at(1) }),
          new Date(at(0).getTime() + 2 * HOUR),
          HOUR,
        ),
      ).toBe(false);
    });

    it('are looked for often enough, but not too often', () => {
      expect(checkPeriodMs(HOUR)).toBe(60_000);
      expect(checkPeriodMs(60_000)).toBe(15_000);
      expect(checkPeriodMs(2_000)).toBe(500);
    });
  });
});
