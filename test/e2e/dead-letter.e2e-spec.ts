import { randomUUID } from 'node:crypto';
import { adminRequest, apiKeys, createConnection } from '../support/admin-api';
import { disconnectProducer, publish, TopicTap } from '../support/kafka';
import { eventually } from '../support/loops';
import { Receiver } from '../support/receiver';
import { connectionChangeCounts, metricValue, waitForConnectionChanges } from '../support/services';

describe('malformed input records', () => {
  let receiver: Receiver;
  let deadLetters: TopicTap;

  beforeAll(async () => {
    receiver = await Receiver.start();
    deadLetters = await TopicTap.open('webhooks.dead-letter');
  });

  afterAll(async () => {
    await receiver.close();
    await deadLetters.close();
    await disconnectProducer();
  });

  it('go to the dead-letter topic with the reason, and the next good record is still delivered', async () => {
    const before = await connectionChangeCounts();
    await createConnection('acme', {
      name: 'dead-letter check',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_click'],
      channels: ['push'],
    });
    await waitForConnectionChanges(before);
    const deadLettersBefore = await metricValue('subscription-filter', 'webhooks_dead_letters_total');

    const profile = `p-${randomUUID()}`;
    const missingEvent = {
      time: 1764201600,
      project_id: 'acme',
      properties: { message_type: 'push', profile_id: profile },
    };
    const good = { ...missingEvent, event: 'message_click' };
    // A good event but for one byte that is not UTF-8: decoded, it would be delivered altered.
    const [head, tail] = JSON.stringify({ ...good, properties: { ...good.properties, note: '~' } }).split(
      '~',
    );
    const notUtf8 = Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from(tail)]);
    await publish('campaign.message-events', [
      { key: profile, value: '{"event": "message_click", not json' },
      { key: profile, value: JSON.stringify(missingEvent) },
      { key: profile, value: notUtf8 },
      { key: profile, value: JSON.stringify(good) },
    ]);

    const letters = await deadLetters.waitFor<Record<string, any>>(3, (letter) => letter['key'] === profile);
    expect(letters.map((letter) => letter['reason'])).toEqual([
      expect.stringMatching(/^invalid_json: /),
      expect.stringMatching(/^invalid_record: event: /),
      'invalid_utf8: the value is not UTF-8 text',
    ]);
    expect(letters[2]).toMatchObject({ original: notUtf8.toString('base64'), original_encoding: 'base64' });
    expect(letters[0]).toMatchObject({
      source: { topic: 'campaign.message-events' },
      original: '{"event": "message_click", not json',
      original_encoding: 'utf8',
    });
    expect(JSON.parse(letters[1]['original'])).toEqual(missingEvent);

    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'message_click',
      properties: { profile_id: profile },
    });
    expect(await metricValue('subscription-filter', 'webhooks_dead_letters_total')).toBe(
      deadLettersBefore + 3,
    );
  });

  it('an outcome the delivery log refuses goes to the dead-letter topic, and the rest are logged', async () => {
    const connection = await createConnection('acme', {
      name: 'refused outcome check',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_click'],
      channels: ['push'],
    });
    const outcome = (deliveryId: string, time: string) => ({
      delivery_id: deliveryId,
      connection_id: connection.id,
      project_id: 'acme',
      event: 'message_click',
      attempt: 1,
      status: 'delivered',
      http_status: 200,
      duration_ms: 3,
      error: null,
      next_attempt_at: null,
      time,
    });
    const refused = outcome(randomUUID(), 'yesterday-ish');
    const logged = outcome(randomUUID(), new Date().toISOString());
    await publish('webhooks.outcomes', [
      { key: connection.id, value: JSON.stringify(refused) },
      { key: connection.id, value: JSON.stringify(logged) },
    ]);

    const [letter] = await deadLetters.waitFor<Record<string, any>>(
      1,
      (candidate) =>
        candidate['key'] === connection.id &&
        String(candidate['reason']).startsWith('invalid_record: the delivery log refused it'),
    );
    expect(letter).toMatchObject({
      source: { topic: 'webhooks.outcomes' },
      reason: expect.stringMatching(/^invalid_record: the delivery log refused it: .*yesterday-ish/),
    });
    expect(JSON.parse(letter['original'])).toEqual(refused);

    let items: { deliveryId: string }[] = [];
    await eventually(async () => {
      const page = await adminRequest('GET', `/v1/connections/${connection.id}/deliveries`, {
        key: apiKeys['acme'],
      });
      items = page.body.items;
      return items.length > 0;
    });
    expect(items.map((item) => item.deliveryId)).toEqual([logged.delivery_id]);
  });
});
