import { DELIVERY_HEADERS, topicNames } from '@campaign-webhooks/contracts';
import type { ConsumedRecord, OutgoingRecord } from '@campaign-webhooks/kafka';
import { DeliveryEngine, type DeliveryEngineDeps } from './delivery-engine';

const topics = topicNames({});

function retryRecord(dueAt: number): ConsumedRecord {
  return {
    topic: topics.retries,
    partition: 0,
    offset: '7',
    key: Buffer.from('c-1'),
    value: Buffer.from('{"event":"message_send"}'),
    headers: {
      [DELIVERY_HEADERS.deliveryId]: 'd-1',
      [DELIVERY_HEADERS.connectionId]: 'c-1',
      [DELIVERY_HEADERS.projectId]: 'acme',
      [DELIVERY_HEADERS.event]: 'message_send',
      [DELIVERY_HEADERS.attempt]: '2',
      [DELIVERY_HEADERS.dueAt]: String(dueAt),
    },
    timestamp: Date.now(),
  };
}

function engineThatParks(produced: OutgoingRecord[], parked: string[] = []): DeliveryEngine {
  // Only what a waiting retry reaches; anything else (a lane, a send) fails the test.
  return new DeliveryEngine({
    topics,
    producer: { send: async (records: OutgoingRecord[]) => void produced.push(...records) },
    metrics: { parked: { inc: ({ reason }: { reason: string }) => parked.push(reason) } },
  } as unknown as DeliveryEngineDeps);
}

describe('DeliveryEngine on shutdown', () => {
  it('hands a retry still waiting for its due time back to the retry topic, unsent and unchanged', async () => {
    const produced: OutgoingRecord[] = [];
    const parked: string[] = [];
    const engine = engineThatParks(produced, parked);
    const dueAt = Date.now() + 60_000;

    const handled = engine.handle(retryRecord(dueAt));
    engine.handBack();
    await handled;

    expect(parked).toEqual(['shutdown']);
    expect(produced).toHaveLength(1);
    const [record] = produced;
    expect(record).toMatchObject({
      topic: topics.retries,
      key: 'c-1',
      value: Buffer.from('{"event":"message_send"}'),
    });
    expect(record.headers).toMatchObject({
      [DELIVERY_HEADERS.deliveryId]: 'd-1',
      [DELIVERY_HEADERS.attempt]: '2',
    });
    expect(Math.abs(Number(record.headers?.[DELIVERY_HEADERS.dueAt]) - dueAt)).toBeLessThan(50);
  });

  it('has a retry waiting for its due time let go of the fetch response it came in', async () => {
    const produced: OutgoingRecord[] = [];
    const engine = engineThatParks(produced);
    const response = Buffer.from('...c-1{"event":"message_send"}...');
    const record = {
      ...retryRecord(Date.now() + 60_000),
      key: response.subarray(3, 6),
      value: response.subarray(6, 30),
    };

    const handled = engine.handle(record);
    response.fill(0);
    engine.handBack();
    await handled;

    expect(record.value.buffer).not.toBe(response.buffer);
    expect(produced[0].value).toEqual(Buffer.from('{"event":"message_send"}'));
  });
});

describe('DeliveryEngine behind a full lane', () => {
  it('has a delivery queued for a slot let go of the fetch response it came in', async () => {
    const answers: (() => void)[] = [];
    const bodies: Buffer[] = [];
    const engine = new DeliveryEngine({
      topics,
      connections: {
        get: () => ({ id: 'c-1', project_id: 'acme', url: 'http://127.0.0.1/', active: true }),
      },
      credentials: { for: () => ({ type: 'none' }) },
      auth: { headersFor: async () => ({}) },
      sender: {
        send: ({ body }: { body: Buffer }) =>
          new Promise((resolve) => {
            bodies.push(body);
            answers.push(() =>
              resolve({ kind: 'response', status: 200, headers: {}, body: '', durationMs: 1 }),
            );
          }),
      },
      producer: { send: async () => undefined },
      schedule: {},
      lanes: {
        maxInFlight: 1,
        queueLimit: 10,
        breakerResetMs: 30_000,
        breakerVolumeThreshold: 100,
        breakerErrorPercentage: 50,
        breakerWindowMs: 10_000,
      },
      alerts: { succeeded: () => undefined },
      metrics: { attempts: { inc: () => undefined }, duration: { observe: () => undefined } },
      logger: { isLevelEnabled: () => false },
    } as unknown as DeliveryEngineDeps);
    const response = Buffer.from('{"n":1}{"n":2}');
    const record = (id: string, from: number): ConsumedRecord => {
      const due = retryRecord(0);
      return {
        ...due,
        headers: { ...due.headers, [DELIVERY_HEADERS.deliveryId]: id },
        value: response.subarray(from, from + 7),
      };
    };

    const first = engine.handle(record('d-1', 0));
    const queued = engine.handle(record('d-2', 7));
    await new Promise((resolve) => setImmediate(resolve));
    response.fill(0);
    answers[0]();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    answers[1]();
    await queued;

    expect(bodies.map((body) => body.buffer === response.buffer)).toEqual([true, false]);
    expect(bodies[1]).toEqual(Buffer.from('{"n":2}'));
  });
});
