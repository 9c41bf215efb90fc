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
