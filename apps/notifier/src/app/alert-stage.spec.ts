import { TransientError, type ConsumedRecord } from '@campaign-webhooks/kafka';
import { Counter, Registry } from 'prom-client';
import { AlertStage } from './alert-stage';
import type { IncidentNotifier } from './incident-notifier';
import { OutcomeStage } from './outcome-stage';

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

const sampleOutcome = {
  delivery_id: 'd-1',
  connection_id: 'c-1',
  project_id: 'acme',
  event: 'message.delivered',
  attempt: 1,
  status: 'delivered',
  http_status: 200,
  duration_ms: 12,
  error: null,
  next_attempt_at: null,
  time: '2025-11-27T09:00:04.000Z',
};

function setup(fails = false) {
  const handled: unknown[] = [];
  const handle = async (value: unknown) => {
    if (fails) throw new Error('connect ECONNREFUSED');
    handled.push(value);
  };
  const notifier = {
    handleAlert: handle,
    handleOutcomes: handle,
    hasOpenIncident: (connectionId: string) => connectionId === 'c-failing',
  } as unknown as IncidentNotifier;
  const counter = new Counter({
    name: 'alerts',
    help: 'h',
    labelNames: ['kind'],
    registers: [new Registry()],
  });
  return { handled, alerts: new AlertStage(notifier, counter), outcomes: new OutcomeStage(notifier) };
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

  it('read only the outcomes of connections with an open incident, and those without a key', async () => {
    const { handled, outcomes } = setup();
    const outcome = { ...sampleOutcome, connection_id: 'c-failing' };
    const results = await outcomes.handleBatch([
      record(outcome, 'c-failing'),
      record({ ...sampleOutcome, connection_id: 'c-fine' }, 'c-fine'),
      record('{nope', 'c-fine'),
      record('{nope'),
    ]);
    expect(results).toEqual([
      { produce: [] },
      { produce: [] },
      { produce: [] },
      { poison: expect.stringMatching(/^invalid_json: /) },
    ]);
    expect(handled).toEqual([[outcome]]);
  });

  it('turn a failure to notify into a retry of the batch, never a dead letter', async () => {
    const { alerts, outcomes } = setup(true);
    await expect(alerts.handleBatch([record(alert)])).rejects.toBeInstanceOf(TransientError);
    await expect(outcomes.handleBatch([])).rejects.toBeInstanceOf(TransientError);
  });
});
