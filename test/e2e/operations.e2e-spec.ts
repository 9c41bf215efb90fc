import { serviceUrls, type ServiceName } from '../support/services';

const services = Object.keys(serviceUrls) as ServiceName[];

describe.each(services)('%s operations endpoints', (service) => {
  const url = serviceUrls[service];

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { kafka: true } });
  });

  it('serves Prometheus metrics', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain(`service="${service}"`);
    expect(text).toContain('# TYPE webhooks_records_produced_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
  });
});
