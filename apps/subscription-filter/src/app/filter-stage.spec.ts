import { ConnectionIndex } from '@campaign-webhooks/connections';
import { connectionSnapshot, topicNames } from '@campaign-webhooks/contracts';
import type { ConsumedRecord } from '@campaign-webhooks/kafka';
import { PipelineMetrics } from '@campaign-webhooks/observability';
import { deliveryId } from './delivery-id';
import { FilterMetrics } from './filter-metrics';
import { FilterStage } from './filter-stage';

const topics = topicNames({});

function inputRecord(topic: string, value: unknown): ConsumedRecord {
  return {
    topic,
    partition: 0,
    offset: '1',
    key: Buffer.from('p-1'),
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
    timestamp: 0,
  };
}

async function filter(record: ConsumedRecord, deliveryIdNamespace?: string) {
  const connections = new ConnectionIndex();
  connections.upsert(connectionSnapshot({ project_id: 'acme' }));
  const metrics = new FilterMetrics(new PipelineMetrics('subscription-filter'));
  const stage = new FilterStage(topics, connections, metrics, deliveryIdNamespace);
  const [result] = await stage.handleBatch([record]);
  const skipped = await metrics.skipped.get();
  return { result, skips: skipped.values.map(({ labels, value }) => [labels['reason'], value]) };
}

const envelope = { time: 1_764_000_000_000, project_id: 'acme' };

describe('FilterStage', () => {
  it('derives the delivery id from where the record sits, and the namespace when one is set', async () => {
    const event = { event: 'message_send', ...envelope, properties: { message_type: 'email' } };
    const matchedId = async (namespace?: string) => {
      const { result } = await filter(inputRecord(topics.messageEvents, event), namespace);
      const [matched] = 'produce' in result ? result.produce : [];
      return JSON.parse(String(matched.value)).delivery_id;
    };

    expect(await matchedId()).toBe(deliveryId(topics.messageEvents, 0, '1', 'c-1'));
    expect(await matchedId('cluster-2')).toBe(deliveryId(topics.messageEvents, 0, '1', 'c-1', 'cluster-2'));
  });

  it.each([
    ['a message event without the properties of known ones', topics.messageEvents, { properties: {} }],
    [
      'a message event with properties of other types',
      topics.messageEvents,
      { properties: { campaign_id: 7 } },
    ],
    ['a subscription event without properties', topics.subscriptionEvents, {}],
  ])('skips an event it does not know yet, %s, and counts it', async (_, topic, rest) => {
    const { result, skips } = await filter(
      inputRecord(topic, { event: 'message_bounce', ...envelope, ...rest }),
    );

    expect(result).toEqual({ produce: [] });
    expect(skips).toEqual([['unknown_event', 1]]);
  });

  it('dead-letters an event whose extra properties nest too deeply to pass on, counting no match', async () => {
    const deep = `${'{"deeper":'.repeat(20_000)}"bottom"${'}'.repeat(20_000)}`;
    const event = JSON.stringify({
      event: 'message_send',
      ...envelope,
      properties: { message_type: 'email' },
    });
    const record = inputRecord(topics.messageEvents, null);
    record.value = Buffer.from(event.replace('"email"}', `"email","extra":${deep}}`));

    const { result, skips } = await filter(record);

    expect(result).toEqual({ poison: 'invalid_record: properties nested too deeply to pass on' });
    expect(skips).toEqual([]);
  });

  it.each([
    ['a known event with invalid properties', { event: 'message_send', ...envelope, properties: {} }],
    ['an event without a name', { ...envelope, properties: { message_type: 'email' } }],
    ['an event with an empty name', { event: '', ...envelope, properties: { message_type: 'email' } }],
    ['an unknown event name that is not text', { event: 7, ...envelope, properties: {} }],
  ])('dead-letters %s', async (_, value) => {
    const { result, skips } = await filter(inputRecord(topics.messageEvents, value));

    expect(result).toEqual({ poison: expect.stringMatching(/^invalid_record: /) });
    expect(skips).toEqual([]);
  });
});
