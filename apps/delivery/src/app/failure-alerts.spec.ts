import type { Alert } from '@campaign-webhooks/contracts';
import { FailureAlerts } from './failure-alerts';

describe('FailureAlerts', () => {
  it('announces a failing endpoint once, after the third failure in a row, then its recovery', () => {
    const alerts = new FailureAlerts(3);
    expect(alerts.failed('c', 'p', 'http_500', 1000)).toBeUndefined();
    expect(alerts.failed('c', 'p', 'http_500', 2000)).toBeUndefined();
    expect(alerts.failed('c', 'p', 'http_503', 3000)).toMatchObject({
      kind: 'endpoint_failing',
      since: new Date(1000).toISOString(),
      message: expect.stringContaining('http_503'),
    });
    expect(alerts.failed('c', 'p', 'http_500', 4000)).toBeUndefined();
    expect(alerts.succeeded('c', 'p', 5000)).toMatchObject({
      kind: 'recovered',
      since: new Date(1000).toISOString(),
    });
    expect(alerts.succeeded('c', 'p', 6000)).toBeUndefined();
  });

  it('says nothing about a failure that never became a streak', () => {
    const alerts = new FailureAlerts(3);
    alerts.failed('c', 'p', 'http_500');
    expect(alerts.succeeded('c', 'p')).toBeUndefined();
  });

  it('announces credential trouble at once, and once', () => {
    const alerts = new FailureAlerts(3);
    expect(alerts.authFailed('c', 'p', 'token endpoint answered 401')).toMatchObject({
      kind: 'auth_failure',
    });
    expect(alerts.authFailed('c', 'p', 'again')).toBeUndefined();
    expect(alerts.succeeded('c', 'p')).toMatchObject({ kind: 'recovered' });
  });

  it('announces the breaker opening once a streak, however often a half-open trial fails', () => {
    const alerts = new FailureAlerts(3);
    expect(alerts.circuitOpened('c', 'p', 1000)).toMatchObject({ kind: 'circuit_open' });
    expect(alerts.circuitOpened('c', 'p', 31_000)).toBeUndefined();
    expect(alerts.succeeded('c', 'p', 61_000)).toMatchObject({ kind: 'recovered' });
    // A new streak opens it anew.
    expect(alerts.circuitOpened('c', 'p', 91_000)).toMatchObject({ kind: 'circuit_open' });
  });

  it('starts a streak over once its last failure is an hour old, announcing it anew', () => {
    const alerts = new FailureAlerts(3);
    for (const at of [1000, 2000, 3000]) alerts.failed('c', 'p', 'http_503', at);
    // The partition moved away meanwhile; another replica saw the recovery.
    const later = 3000 + HOUR;
    expect(alerts.failed('c', 'p', 'http_503', later)).toBeUndefined();
    expect(alerts.failed('c', 'p', 'http_503', later + 1000)).toBeUndefined();
    expect(alerts.failed('c', 'p', 'http_503', later + 2000)).toMatchObject({
      kind: 'endpoint_failing',
      since: new Date(later).toISOString(),
      message: expect.stringMatching(/^3 attempts failed/),
    });
  });

  it('does not count failures an hour apart as one streak', () => {
    const alerts = new FailureAlerts(3);
    alerts.failed('c', 'p', 'http_503', 0);
    alerts.failed('c', 'p', 'http_503', 1000);
    expect(alerts.failed('c', 'p', 'http_503', 1000 + HOUR)).toBeUndefined();
  });

  it.each([
    ['endpoint_failing', (alerts: FailureAlerts) => alerts.failed('c', 'p', 'http_500', 3000)],
    ['auth_failure', (alerts: FailureAlerts) => alerts.authFailed('c', 'p', 'http_401', 3000)],
    ['circuit_open', (alerts: FailureAlerts) => alerts.circuitOpened('c', 'p', 3000)],
    ['recovered', (alerts: FailureAlerts) => alerts.succeeded('c', 'p', 4000)],
  ])('raises %s again when it was not published', (kind, raise) => {
    const alerts = new FailureAlerts(3);
    alerts.failed('c', 'p', 'http_500', 1000);
    alerts.failed('c', 'p', 'http_500', 2000);
    if (kind === 'recovered') alerts.failed('c', 'p', 'http_500', 3000);
    const first = raise(alerts);
    expect(first).toMatchObject({ kind, since: new Date(1000).toISOString() });
    alerts.notPublished(first as Alert);
    expect(raise(alerts)).toMatchObject({ kind, since: new Date(1000).toISOString() });
    expect(raise(alerts)).toBeUndefined();
  });
});

const HOUR = 3_600_000;
