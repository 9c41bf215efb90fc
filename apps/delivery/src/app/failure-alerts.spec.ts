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
});
