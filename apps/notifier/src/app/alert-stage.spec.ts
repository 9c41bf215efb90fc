import { TransientError, type ConsumedRecord } from '@campaign-webhooks/kafka';
import { Counter, Registry } from 'prom-client';
import { AlertStage } from './alert-stage';
import type { IncidentNotifier } from './incident-notifier';

function record(value: unknown, key: string | null = null): ConsumedRecord {
  return {
    topic: 'webhooks.alerts',
    partition: 0,
    offset: '0',
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    timestamp: 0,
  };
}

const alert = {
  connection_id: 'c-1',
  project_id: 'acme',
  kind: 'endpoint_failing',
  message: 'http_500',
  since: '2025-11-27T09:00:00.000Z',
  time: '2025-11-27T09:00:03.000Z',
};

function setup(fails = false) {
  const handled: unknown[] = [];
  const handle = async (value: unknown) => {
    if (fails) throw new Error('connect ECONNREFUSED');
    handled.push(value);
  };
  const notifier = {
    handleAlert: handle,
  } as unknown as IncidentNotifier;
  const counter = new Counter({
    name: 'alerts',
    help: 'h',
    labelNames: ['kind'],
    registers: [new Registry()],
  });
  return { handled, alerts: new AlertStage(notifier, counter) };
}

describe('notifier stages', () => {
  it('hand well-formed alerts to the notifier and produce nothing', async () => {
    const { handled, alerts } = setup();
    expect(await alerts.handleBatch([record(alert)])).toEqual([{ produce: [] }]);
    expect(handled).toEqual([alert]);
  });

  it('dead-letter what is malformed, including timestamps that are not dates', async () => {
    const { handled, alerts } = setup();
    const results = await alerts.handleBatch([
      record('{nope'),
      record({ ...alert, kind: 'unknown' }),
      record({ ...alert, since: 'yesterday' }),
    ]);
    expect(results).toEqual([
      { poison: expect.stringMatching(/^invalid_json: /) },
      { poison: 'invalid_record: kind' },
      { poison: 'invalid_record: since is not a timestamp' },
    ]);
    expect(handled).toEqual([]);
  });

  it('turn a failure to notify into a retry of the batch, never a dead letter', async () => {
    const { alerts } = setup(true);
    await expect(alerts.handleBatch([record(alert)])).rejects.toBeInstanceOf(TransientError);
  });
});
