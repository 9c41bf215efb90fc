import { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import { ConnectionIndex } from '@campaign-webhooks/connections';
import { connectionSnapshot, DELIVERY_HEADERS, topicNames } from '@campaign-webhooks/contracts';
import type { ConsumedRecord, OutgoingRecord } from '@campaign-webhooks/kafka';
import { DeliveryEngine, type DeliveryEngineDeps } from './delivery-engine';
import { FailureAlerts } from './failure-alerts';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, RetrySchedule } from './retry-schedule';

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

const lanes = {
  maxInFlight: 8,
  queueLimit: 10,
  breakerResetMs: 30_000,
  breakerVolumeThreshold: 100,
  breakerErrorPercentage: 50,
  breakerWindowMs: 10_000,
};

interface SendingEngine {
  engine: DeliveryEngine;
  /** Each request's URL and body, in the order sent. */
  sent: { url: string; body: Buffer }[];
  /** Answers the request sent n-th, with 200 unless told otherwise. */
  answers: ((status?: number) => void)[];
  produced: OutgoingRecord[];
  parked: string[];
}

function sendingEngine(
  connections: DeliveryEngineDeps['connections'],
  maxInFlight = 8,
  overrides: Partial<DeliveryEngineDeps> = {},
): SendingEngine {
  const sent: SendingEngine['sent'] = [];
  const answers: SendingEngine['answers'] = [];
  const produced: OutgoingRecord[] = [];
  const parked: string[] = [];
  const engine = new DeliveryEngine({
    topics,
    connections,
    credentials: { for: () => ({ type: 'none' }) },
    auth: { headersFor: async () => ({}) },
    sender: {
      send: ({ url, body }: { url: string; body: Buffer }) =>
        new Promise((resolve) => {
          sent.push({ url, body });
          answers.push((status = 200) =>
            resolve({ kind: 'response', status, headers: {}, body: '', durationMs: 1 }),
          );
        }),
    },
    producer: { send: async (records: OutgoingRecord[]) => void produced.push(...records) },
    schedule: new RetrySchedule(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)),
    lanes: { ...lanes, maxInFlight },
    alerts: new FailureAlerts(),
    metrics: {
      attempts: { inc: () => undefined },
      duration: { observe: () => undefined },
      parked: { inc: ({ reason }: { reason: string }) => parked.push(reason) },
    },
    logger: { isLevelEnabled: () => false },
    ...overrides,
  } as unknown as DeliveryEngineDeps);
  return { engine, sent, answers, produced, parked };
}

// Version 1 is inactive, later ones active.
const target = (version: number, url = 'http://127.0.0.1/') =>
  JSON.stringify(connectionSnapshot({ url, version, active: version > 1 }));

function renderedRecord(connectionVersion: number): ConsumedRecord {
  const due = retryRecord(0);
  return {
    ...due,
    headers: {
      ...due.headers,
      [DELIVERY_HEADERS.attempt]: '1',
      [DELIVERY_HEADERS.connectionVersion]: String(connectionVersion),
    },
  };
}

describe('DeliveryEngine with a copy of the connections older than the filter', () => {
  it('catches up and sends with the version the filter matched', async () => {
    // Acting on version 1, inactive, would skip the delivery.
    const index = new ConnectionIndex();
    index.applyChange('c-1', target(1, 'http://127.0.0.1/old'));
    const reader = {
      catchUp: jest.fn(async () => {
        index.applyChange('c-1', target(2, 'http://127.0.0.1/new'));
        return true;
      }),
    };
    const { engine, sent, answers } = sendingEngine(new ConnectionFeed(index, reader));

    const handled = engine.handle(renderedRecord(2));
    await new Promise((resolve) => setImmediate(resolve));
    answers[0]();
    await handled;

    expect(reader.catchUp).toHaveBeenCalledTimes(1);
    expect(sent.map(({ url }) => url)).toEqual(['http://127.0.0.1/new']);
  });

  it('parks the delivery, unsent, when the copy does not catch up', async () => {
    const index = new ConnectionIndex();
    const reader = { catchUp: jest.fn(async () => false) };
    const { engine, sent, produced, parked } = sendingEngine(new ConnectionFeed(index, reader));

    await engine.handle(renderedRecord(1));

    expect(sent).toEqual([]);
    expect(parked).toEqual(['connections_behind']);
    expect(produced.map((record) => record.topic)).toEqual([topics.retries]);
    expect(produced[0].headers?.[DELIVERY_HEADERS.connectionVersion]).toBe('1');
  });

  it('does not wait on a connection whose deletion its copy applied', async () => {
    const index = new ConnectionIndex();
    index.applyChange('c-1', target(2));
    index.applyChange('c-1', null);
    const reader = { catchUp: jest.fn(async () => true) };
    const { engine, sent, produced } = sendingEngine(new ConnectionFeed(index, reader));

    await engine.handle(renderedRecord(2));

    expect(reader.catchUp).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
    expect(JSON.parse(String(produced[0].value))).toMatchObject({
      status: 'skipped',
      error: 'connection_deleted',
    });
  });
});

describe('DeliveryEngine behind a full lane', () => {
  it('has a delivery queued for a slot let go of the fetch response it came in', async () => {
    const { engine, sent, answers } = sendingEngine(
      {
        get: () => ({ id: 'c-1', project_id: 'acme', url: 'http://127.0.0.1/', active: true }),
        isBehind: () => false,
      } as unknown as DeliveryEngineDeps['connections'],
      1,
    );
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

    const bodies = sent.map(({ body }) => body);
    expect(bodies.map((body) => body.buffer === response.buffer)).toEqual([true, false]);
    expect(bodies[1]).toEqual(Buffer.from('{"n":2}'));
  });
});

describe('DeliveryEngine with credentials it cannot read', () => {
  it('retries the delivery and raises auth_failure, rather than failing the consumer', async () => {
    const index = new ConnectionIndex();
    index.applyChange('c-1', target(2));
    const durations: number[] = [];
    const { engine, sent, produced } = sendingEngine(
      new ConnectionFeed(index, { catchUp: async () => true }),
      8,
      {
        credentials: {
          for: () => {
            throw new Error('Unsupported state or unable to authenticate data');
          },
        },
        metrics: {
          attempts: { inc: () => undefined },
          duration: { observe: (_labels: object, seconds: number) => durations.push(seconds) },
          parked: { inc: () => undefined },
        },
      } as unknown as Partial<DeliveryEngineDeps>,
    );

    await engine.handle(renderedRecord(2));

    expect(sent).toEqual([]);
    const byTopic = Object.fromEntries(
      produced.map((record) => [record.topic, JSON.parse(String(record.value ?? 'null'))]),
    );
    expect(Object.keys(byTopic).sort()).toEqual([topics.alerts, topics.outcomes, topics.retries].sort());
    expect(byTopic[topics.outcomes]).toMatchObject({
      status: 'retrying',
      error: 'auth_failure: the stored credentials could not be decrypted or read',
    });
    expect(byTopic[topics.alerts]).toMatchObject({ kind: 'auth_failure' });
    // No request went out: a 0 s duration would pull the request latency figures down.
    expect(durations).toEqual([]);
  });
});

describe('DeliveryEngine with an address the policy refuses', () => {
  it('fails the delivery for good, and records no request duration', async () => {
    const index = new ConnectionIndex();
    index.applyChange('c-1', target(2));
    const durations: number[] = [];
    const { engine, produced } = sendingEngine(new ConnectionFeed(index, { catchUp: async () => true }), 8, {
      sender: {
        send: async () => ({
          kind: 'error',
          error: 'forbidden_address',
          message: 'refusing to connect to 127.0.0.1: loopback',
          durationMs: 0.2,
        }),
      },
      metrics: {
        attempts: { inc: () => undefined },
        duration: { observe: (_labels: object, seconds: number) => durations.push(seconds) },
        parked: { inc: () => undefined },
        deadLetters: { inc: () => undefined },
      },
    } as unknown as Partial<DeliveryEngineDeps>);

    await engine.handle(renderedRecord(2));

    const outcome = produced.find((record) => record.topic === topics.outcomes);
    expect(JSON.parse(String(outcome?.value))).toMatchObject({ status: 'failed' });
    expect(durations).toEqual([]);
  });
});

/** Connection c-1, active, at version 2. */
function connections(): ConnectionFeed {
  const index = new ConnectionIndex();
  index.applyChange('c-1', target(2));
  return new ConnectionFeed(index, { catchUp: async () => true });
}

/** The delivery `id`, rendered for version 2 of its connection. */
function record(id: string): ConsumedRecord {
  const due = renderedRecord(2);
  return { ...due, headers: { ...due.headers, [DELIVERY_HEADERS.deliveryId]: id } };
}

describe('DeliveryEngine when a rebalance takes a record away', () => {
  it('leaves a retry waiting for its due time to the new owner, producing nothing', async () => {
    const { engine, sent, produced, parked } = sendingEngine(connections());
    const revoked = new AbortController();

    const handled = engine.handle(retryRecord(Date.now() + 60_000), revoked.signal);
    revoked.abort();
    await handled;

    expect([sent, produced, parked]).toEqual([[], [], []]);
  });

  it.each([
    [503, 'retrying'],
    [404, 'retrying'],
    [200, 'delivered'],
  ])(
    'reports an attempt under way that ends %i, and leaves what follows to the new owner',
    async (status, reported) => {
      const { engine, answers, produced } = sendingEngine(connections());
      const revoked = new AbortController();

      const handled = engine.handle(renderedRecord(2), revoked.signal);
      await new Promise((resolve) => setImmediate(resolve));
      revoked.abort();
      answers[0](status);
      await handled;

      expect(produced.map((record) => record.topic).filter((topic) => topic !== topics.alerts)).toEqual([
        topics.outcomes,
      ]);
      expect(JSON.parse(String(produced[0].value))).toMatchObject({ attempt: 1, status: reported });
    },
  );

  it('leaves a delivery its lane turns away while it was queued', async () => {
    const { engine, answers, produced, parked } = sendingEngine(connections(), 1);
    const revoked = new AbortController();

    const first = engine.handle(record('d-1'));
    const queued = engine.handle(record('d-2'), revoked.signal);
    await new Promise((resolve) => setImmediate(resolve));
    revoked.abort();
    engine.handBack();
    answers[0]();
    await Promise.all([first, queued]);

    expect(parked).toEqual([]);
    expect(produced.map((outcome) => JSON.parse(String(outcome.value)).delivery_id)).toEqual(['d-1']);
  });

  it('leaves a delivery queued for a slot, and passes the slot on', async () => {
    const { engine, sent, answers, produced } = sendingEngine(connections(), 1);
    const revoked = new AbortController();

    const first = engine.handle(record('d-1'));
    const queued = engine.handle(record('d-2'), revoked.signal);
    await new Promise((resolve) => setImmediate(resolve));
    revoked.abort();
    answers[0]();
    await Promise.all([first, queued]);
    // The slot is free again: the next delivery is sent at once.
    const third = engine.handle(record('d-3'));
    await new Promise((resolve) => setImmediate(resolve));
    answers[1]?.();
    await third;

    expect(sent).toHaveLength(2);
    expect(produced.map((outcome) => JSON.parse(String(outcome.value)).delivery_id)).toEqual(['d-1', 'd-3']);
  });
});

describe('DeliveryEngine when the broker does not take an alert', () => {
  const failing = {
    send: async () => ({ kind: 'response', status: 503, headers: {}, body: '', durationMs: 1 }),
  };

  /** A producer that refuses the next `refusals` batches carrying an alert. */
  function flakyProducer() {
    const acknowledged: OutgoingRecord[] = [];
    const producer = {
      refusals: 0,
      send: async (records: OutgoingRecord[]) => {
        if (producer.refusals > 0 && records.some(({ topic }) => topic === topics.alerts)) {
          producer.refusals--;
          throw new Error('KafkaJSNumberOfRetriesExceeded');
        }
        acknowledged.push(...records);
      },
    };
    const alertKinds = () =>
      acknowledged
        .filter(({ topic }) => topic === topics.alerts)
        .map(({ value }) => JSON.parse(String(value)).kind);
    return { producer, alertKinds };
  }

  it('raises endpoint_failing when the record whose produce failed is handled again', async () => {
    const { producer, alertKinds } = flakyProducer();
    const { engine } = sendingEngine(connections(), 8, { sender: failing, producer } as never);

    await engine.handle(record('d-1'));
    await engine.handle(record('d-2'));
    producer.refusals = 1;
    await expect(engine.handle(record('d-3'))).rejects.toThrow('KafkaJSNumberOfRetriesExceeded');
    await engine.handle(record('d-3'));
    await engine.handle(record('d-4'));
    engine.shutdown();

    expect(alertKinds()).toEqual(['endpoint_failing']);
  });

  it('raises circuit_open when the breaker opens again after its alert was not published', async () => {
    const { producer, alertKinds } = flakyProducer();
    const logger = { isLevelEnabled: () => false, error: jest.fn() };
    const breakerResetMs = 20;
    const { engine } = sendingEngine(connections(), 8, {
      sender: failing,
      producer,
      logger,
      lanes: { ...lanes, breakerResetMs, breakerVolumeThreshold: 1 },
    } as never);

    producer.refusals = 1;
    await engine.handle(record('d-1'));
    expect(logger.error).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setTimeout(resolve, breakerResetMs * 2));
    // The half-open trial fails: the breaker opens again.
    await engine.handle(record('d-2'));
    engine.shutdown();

    expect(alertKinds()).toEqual(['circuit_open']);
  });
});
