import { disconnectProducer, TopicTap } from '../support/kafka';
import { connect, publishMessageEvents } from '../support/connections';
import { Receiver } from '../support/receiver';

// npm test runs delivery with RETRY_SCHEDULE=1s,1s,1s: four attempts in all.
type Outcome = Record<string, any>;

describe('delivery retries', () => {
  let receiver: Receiver;
  let outcomes: TopicTap;
  let deadLetters: TopicTap;

  beforeEach(async () => {
    receiver = await Receiver.start();
    outcomes = await TopicTap.open('webhooks.outcomes');
    deadLetters = await TopicTap.open('webhooks.dead-letter');
  });

  afterEach(async () => {
    await receiver.close();
    await outcomes.close();
    await deadLetters.close();
  });

  afterAll(() => disconnectProducer());

  async function connectReceiver(name: string) {
    return connect('acme', {
      name,
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_delivery'],
      channels: ['sms'],
    });
  }

  it('retries a 500 with the same webhook-id until the endpoint accepts it', async () => {
    receiver.behave((_request, index) => ({ status: index < 2 ? 500 : 200 }));
    const connection = await connectReceiver('flaky');
    await publishMessageEvents('acme', ['message_delivery'], { channel: 'sms' });

    const requests = await receiver.waitFor(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(700);

    const reported = await outcomes.waitFor<Outcome>(
      3,
      (outcome) => outcome['connection_id'] === connection.id,
    );
    expect(reported.map(({ attempt, status, http_status }) => [attempt, status, http_status])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'delivered', 200],
    ]);
    expect(reported[0]['next_attempt_at']).toEqual(expect.any(String));
  });

  it('does not retry a 400: the delivery fails and is dead-lettered', async () => {
    receiver.answerWith(400);
    const connection = await connectReceiver('rejecting');
    await publishMessageEvents('acme', ['message_delivery'], { channel: 'sms' });

    const [failed] = await outcomes.waitFor<Outcome>(
      1,
      (outcome) => outcome['connection_id'] === connection.id,
    );
    expect(failed).toMatchObject({
      attempt: 1,
      status: 'failed',
      http_status: 400,
      error: 'delivery_failed: http_400',
    });
    const [letter] = await deadLetters.waitFor<Outcome>(1, (letter) => letter['key'] === connection.id);
    expect(letter['reason']).toBe('delivery_failed: http_400');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.requests).toHaveLength(1);
  });

  it('gives up after the last scheduled attempt and dead-letters the delivery', async () => {
    receiver.answerWith(503);
    const connection = await connectReceiver('down');
    await publishMessageEvents('acme', ['message_delivery'], { channel: 'sms' });

    const reported = await outcomes.waitFor<Outcome>(
      4,
      (outcome) => outcome['connection_id'] === connection.id,
      30_000,
    );
    expect(reported.map((outcome) => outcome['status'])).toEqual([
      'retrying',
      'retrying',
      'retrying',
      'failed',
    ]);
    expect(reported[3]['error']).toBe('retries_exhausted: http_503');
    const [letter] = await deadLetters.waitFor<Outcome>(1, (letter) => letter['key'] === connection.id);
    expect(letter['reason']).toBe('retries_exhausted: http_503');
    expect(JSON.parse(letter['original'])).toMatchObject({ event: 'message_delivery' });
  });

  it('honours Retry-After on a 429', async () => {
    receiver.behave((_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 },
    );
    await connectReceiver('throttling');
    await publishMessageEvents('acme', ['message_delivery'], { channel: 'sms' });

    const requests = await receiver.waitFor(2);
    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(2900);
  });
});
