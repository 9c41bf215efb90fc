import {
  checkPeriodMs,
  endsIncident,
  failingEmailKind,
  isEmailDue,
  NEVER_SENT,
  onFailure,
  owesResolvedEmail,
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
    time: at(2),
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
    it('opens an incident nobody has been told about, due at once, when there is none', () => {
      const decision = onFailure(undefined, signal());
      expect(decision).toEqual({
        action: 'open',
        incident: incident({
          email: '',
          lastError: '3 attempts failed in a row; last: http_500',
          lastSentAt: NEVER_SENT,
        }),
      });
      if (decision.action === 'open') expect(isEmailDue(decision.incident, at(2), HOUR)).toBe(true);
    });

    it('only updates an open incident: one email per streak', () => {
      expect(onFailure(incident(), signal({ kind: 'auth_failure', message: 'http_401' }))).toEqual({
        action: 'update',
        kind: 'auth_failure',
        lastError: 'http_401',
      });
    });

    it('keeps the last error when the news is only that the breaker opened', () => {
      const decision = onFailure(
        incident(),
        signal({ kind: 'circuit_open', message: 'circuit breaker opened' }),
      );
      expect(decision).toEqual({ action: 'update', kind: 'circuit_open', lastError: 'http_500' });
    });

    it('does not reopen a resolved incident for an alert raised before the success that ended it (a replay)', () => {
      const resolved = incident({ resolvedAt: at(30) });
      expect(onFailure(resolved, signal({ since: at(0), time: at(2) })).action).toBe('ignore');
      expect(onFailure(resolved, signal({ since: at(25), time: at(30) })).action).toBe('ignore');
    });

    it('reopens a resolved incident for an alert raised after it ended, keeping when the last email went', () => {
      const resolved = incident({ resolvedAt: at(30) });
      expect(onFailure(resolved, signal({ since: at(35), time: at(40) }))).toMatchObject({
        action: 'open',
        incident: { since: at(35), email: '', lastSentAt: at(10), resolvedAt: null },
      });
    });

    it('dates a reopened incident no earlier than the success that ended the last one (a stale streak)', () => {
      const resolved = incident({ resolvedAt: at(30) });
      expect(onFailure(resolved, signal({ since: at(0), time: at(40) }))).toMatchObject({
        action: 'open',
        incident: { since: at(30) },
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

  describe('emails', () => {
    it('go out at most once an interval, counted from the last failing or repeat email', () => {
      const open = incident({ lastSentAt: at(0) });
      expect(isEmailDue(open, new Date(at(0).getTime() + HOUR - 1), HOUR)).toBe(false);
      expect(isEmailDue(open, new Date(at(0).getTime() + HOUR), HOUR)).toBe(true);
    });

    it('are never due for a resolved incident', () => {
      expect(
        isEmailDue(
          incident({ lastSentAt: at(0), resolvedAt: at(1) }),
          new Date(at(0).getTime() + 2 * HOUR),
          HOUR,
        ),
      ).toBe(false);
    });

    it('say "failing" first, then repeat; "resolved" only to whom one of those went', () => {
      expect(failingEmailKind(incident({ email: '' }))).toBe('failing');
      expect(failingEmailKind(incident())).toBe('repeat');
      expect(owesResolvedEmail(incident({ email: '' }))).toBe(false);
      expect(owesResolvedEmail(incident())).toBe(true);
    });

    it('are looked for often enough, but not too often', () => {
      expect(checkPeriodMs(HOUR)).toBe(60_000);
      expect(checkPeriodMs(60_000)).toBe(15_000);
      expect(checkPeriodMs(2_000)).toBe(500);
    });
  });
});
