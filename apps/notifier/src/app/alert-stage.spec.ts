import { connectionSnapshot } from '@campaign-webhooks/contracts';
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

function setup(failure?: Error) {
  const handled: unknown[] = [];
  const handle = async (value: unknown) => {
    if (failure) throw failure;
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
  const connections = new Map([['c-1', connectionSnapshot({ id: 'c-1', project_id: 'acme' })]]);
  return { handled, alerts: new AlertStage(notifier, connections, counter) };
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
      record('null'),
    ]);
    expect(results).toEqual([
      { poison: expect.stringMatching(/^invalid_json: /) },
      { poison: expect.stringMatching(/^invalid_record: kind: ./) },
      { poison: 'invalid_record: since is not an ISO 8601 time' },
      { poison: expect.stringMatching(/^invalid_record: \(record\): ./) },
    ]);
    expect(handled).toEqual([]);
  });

  it('dead-letter what the database would refuse before acting on it', async () => {
    const { handled, alerts } = setup();
    const results = await alerts.handleBatch([
      record({ ...alert, message: 'http_500\u0000' }),
      record({ ...alert, project_id: 'ac\u0000me' }),
      // Date.parse reads "1" as a day in 2001; a year before 1 is a BC date PostgreSQL refuses.
      record({ ...alert, time: '1' }),
      record({ ...alert, since: '-010000-01-01T00:00:00Z' }),
      record({ ...alert, since: '0000-01-01T00:00:00Z' }),
      record({ ...alert, since: '2024-02-30T00:00:00Z' }),
    ]);
    expect(results).toEqual([
      { poison: 'invalid_record: a NUL character, which PostgreSQL cannot store' },
      { poison: 'invalid_record: a NUL character, which PostgreSQL cannot store' },
      { poison: 'invalid_record: time is not an ISO 8601 time' },
      { poison: 'invalid_record: since is not an ISO 8601 time' },
      { poison: 'invalid_record: since is not an ISO 8601 time' },
      { poison: 'invalid_record: since is not an ISO 8601 time' },
    ]);
    expect(handled).toEqual([]);
  });

  it("dead-letter an alert naming another project than its connection's", async () => {
    const { handled, alerts } = setup();
    expect(await alerts.handleBatch([record({ ...alert, project_id: 'globex' })])).toEqual([
      { poison: "invalid_record: project_id is not the connection's project" },
    ]);
    expect(handled).toEqual([]);
  });

  it('dead-letter an alert the database refuses, rather than retrying it for ever', async () => {
    const refused = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
    });
    const { alerts } = setup(refused);
    expect(await alerts.handleBatch([record(alert)])).toEqual([
      { poison: 'invalid_record: the database refused it: invalid byte sequence for encoding "UTF8": 0x00' },
    ]);
  });

  it('turn a failure to notify into a retry of the batch, never a dead letter', async () => {
    const { alerts } = setup(new Error('connect ECONNREFUSED'));
    await expect(alerts.handleBatch([record(alert)])).rejects.toBeInstanceOf(TransientError);
  });
});
