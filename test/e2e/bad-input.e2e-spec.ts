import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { connect } from '../support/connections';
import { disconnectProducer, publish } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { metricValue } from '../support/services';

const filterCounters = {
  consumed: ['webhooks_records_consumed_total', { topic: 'campaign.message-events' }],
  deadLettered: ['webhooks_dead_letters_total', { topic: 'campaign.message-events' }],
  unknownEvent: ['webhooks_filter_skips_total', { reason: 'unknown_event' }],
  unknownChannel: ['webhooks_filter_skips_total', { reason: 'unknown_channel' }],
  notMatched: ['webhooks_filter_skips_total', { reason: 'no_connection' }],
  matched: ['webhooks_matches_total', {}],
} as const;

async function filterLedger(): Promise<Record<keyof typeof filterCounters, number>> {
  const entries = await Promise.all(
    Object.entries(filterCounters).map(async ([name, [metric, labels]]) => [
      name,
      await metricValue('subscription-filter', metric, labels),
    ]),
  );
  return Object.fromEntries(entries);
}

/** Values made to break naive JSON or template handling. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '{{email}}',
    '"},"x":1,"',
    '\\',
    '\u0000',
    '\ud800',
    '\u2028\u2029',
    '${profile}',
    '{{profile.first_name}}',
  ),
  fc.string({ minLength: 10_000, maxLength: 50_000 }),
);

/**
 * A project no other suite sends these events to: the filter counts a match for every connection
 * of the project an event reaches, so another suite's connection there would count as well.
 */
const PROJECT = 'initech';

describe('bad input on campaign.message-events', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await disconnectProducer();
  });

  it('ends every record delivered, skipped with a reason or dead-lettered, and keeps consuming', async () => {
    // The project's only connection on the inbox channel: each record matches it at most once.
    await connect(PROJECT, {
      name: 'fuzz',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_send'],
      channels: ['inbox'],
    });
    const before = await filterLedger();

    const wellFormed = (properties: Record<string, unknown>) =>
      JSON.stringify({
        event: 'message_send',
        time: 1764201600,
        project_id: PROJECT,
        properties: { message_type: 'inbox', ...properties },
      });
    const corpus: (string | Buffer | null)[] = [
      'not json at all',
      '{"event": "message_send",',
      Buffer.from([0xff, 0xfe, 0xfd]),
      null,
      '[]',
      '"a string"',
      JSON.stringify({ time: 1764201600, project_id: PROJECT, properties: { message_type: 'inbox' } }),
      JSON.stringify({
        event: 'message_send',
        time: 'yesterday',
        project_id: PROJECT,
        properties: { message_type: 'inbox' },
      }),
      JSON.stringify({
        event: 'message_send',
        time: 1764201600,
        project_id: 42,
        properties: { message_type: 'inbox' },
      }),
      JSON.stringify({ event: 'message_send', time: 1764201600, project_id: PROJECT }),
      JSON.stringify({
        event: 'message_teleport',
        time: 1764201600,
        project_id: PROJECT,
        properties: { message_type: 'inbox' },
      }),
      wellFormed({ message_type: 'carrier_pigeon' }),
      JSON.stringify({
        event: 'message_send',
        time: 1764201600,
        project_id: 'unknown-project',
        properties: { message_type: 'inbox' },
      }),
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
      wellFormed({ email: 'x'.repeat(900_000) }),
    ];
    const hostile = fc
      .sample(hostileText, { numRuns: 40, seed: 20261127 })
      .map((text) => wellFormed({ email: text, campaign_id: text, user_id: text }));
    const arbitrary = fc
      .sample(
        fc.record({
          event: fc.oneof(fc.constant('message_send'), fc.anything()),
          time: fc.anything(),
          project_id: fc.constant(PROJECT),
          properties: fc.anything(),
        }),
        { numRuns: 40, seed: 20261128 },
      )
      .map((value) => {
        try {
          return JSON.stringify(value) ?? 'undefined';
        } catch {
          return 'unserialisable';
        }
      });
    const records = [...corpus, ...hostile, ...arbitrary];
    const sentinel = `p-${randomUUID()}`;
    // One record per request: together they would pass the broker's 1 MiB limit for a request.
    for (const [index, value] of records.entries()) {
      await publish('campaign.message-events', [{ key: `fuzz-${index}`, value }]);
    }
    await publish('campaign.message-events', [
      { key: sentinel, value: wellFormed({ profile_id: sentinel }) },
    ]);

    // The sentinel, published last, still gets through: nothing stalled.
    await waitUntil(async () => receiver.requests.some((request) => request.body.includes(sentinel)), 60_000);
    await waitUntil(async () => {
      const now = await filterLedger();
      return now.consumed - before.consumed >= records.length + 1;
    }, 30_000);
    const after = await filterLedger();
    const delta = (name: keyof typeof filterCounters) => after[name] - before[name];

    // Each record took exactly one way out of the filter.
    expect(delta('consumed')).toBe(records.length + 1);
    expect(
      delta('deadLettered') +
        delta('unknownEvent') +
        delta('unknownChannel') +
        delta('notMatched') +
        delta('matched'),
    ).toBe(records.length + 1);
    expect(delta('deadLettered')).toBeGreaterThanOrEqual(10);
    expect(delta('unknownEvent')).toBeGreaterThanOrEqual(1);
    expect(delta('unknownChannel')).toBeGreaterThanOrEqual(1);

    // Every match reached the endpoint as valid JSON with the contract's keys and nothing more.
    await waitUntil(async () => receiver.requests.length >= delta('matched'), 60_000);
    expect(receiver.requests).toHaveLength(delta('matched'));
    for (const request of receiver.requests) {
      const body = JSON.parse(request.body);
      expect(Object.keys(body)).toEqual(['event', 'time', 'properties']);
      expect(Object.keys(body.properties)).toHaveLength(9);
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
