import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { adminRequest, apiKeys } from '../support/admin-api';
import { connect, publishMessageEvents } from '../support/connections';
import { disconnectProducer, publish } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { eventually } from '../support/loops';
import { metricValue } from '../support/services';

describe('delivery log, resend and test send', () => {
  let receiver: Receiver;
  const acme = { key: apiKeys['acme'] };

  beforeAll(async () => {
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await disconnectProducer();
  });

  async function logOf(connectionId: string, query = ''): Promise<{ status: number; body: any }> {
    return adminRequest('GET', `/v1/connections/${connectionId}/deliveries${query}`, acme);
  }

  it('lists attempts page by page, resends a delivery with its webhook-id, and sends a test event', async () => {
    const connection = await connect('acme', {
      name: 'logged',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_open'],
      channels: ['whatsapp'],
    });
    await publishMessageEvents('acme', ['message_open', 'message_open'], { channel: 'whatsapp' });
    const delivered = await receiver.waitFor(2);

    let page = await logOf(connection.id);
    for (let tries = 0; page.body.items.length < 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      page = await logOf(connection.id);
    }
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0]).toMatchObject({
      connectionId: connection.id,
      status: 'delivered',
      httpStatus: 200,
      attempt: 1,
    });

    const first = await logOf(connection.id, '?status=delivered&event=message_open&limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await logOf(connection.id, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].deliveryId).not.toBe(first.body.items[0].deliveryId);
    expect((await logOf(connection.id, '?status=failed')).body.items).toEqual([]);
    expect((await logOf(connection.id, '?status=exploded')).status).toBe(400);
    expect((await logOf(connection.id, '?cursor=not-a-cursor')).status).toBe(400);
    // Well-formed JSON the database could not read: a 400 too, not a failed query.
    for (const madeUp of [
      ['yesterday', 'd-1', 1],
      ['2026-02-30T00:00:00.000Z', 'd-1', 1],
      ['2026-02-01T00:00:00.000Z', 'd\u0000', 1],
      // A year JavaScript reads and PostgreSQL has not.
      ['0000-01-01T00:00:00.000Z', 'd-1', 1],
    ]) {
      const cursor = Buffer.from(JSON.stringify(madeUp)).toString('base64url');
      expect((await logOf(connection.id, `?cursor=${cursor}`)).status).toBe(400);
    }
    expect((await logOf('-'.repeat(36))).status).toBe(404);
    // The id as the API wrote it or in capitals: the same connection, the same log.
    expect((await logOf(connection.id.toUpperCase())).body.items).toEqual(page.body.items);

    const deliveryId = delivered[0].headers['webhook-id'] as string;
    const resent = await adminRequest('POST', `/v1/deliveries/${deliveryId}/resend`, acme);
    expect(resent).toMatchObject({ status: 202, body: { deliveryId, connectionId: connection.id } });
    const [, , again] = await receiver.waitFor(3);
    expect(again.headers['webhook-id']).toBe(deliveryId);
    expect(again.body).toBe(delivered[0].body);

    const test = await adminRequest('POST', `/v1/connections/${connection.id}/test`, {
      ...acme,
      body: { event: 'message_open' },
    });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({
      connection_id: connection.id,
      event: 'message_open',
      status: 'delivered',
      http_status: 200,
    });
    const sample = (await receiver.waitFor(4))[3];
    expect(JSON.parse(sample.body)).toMatchObject({
      event: 'message_open',
      properties: { message_type: 'whatsapp', campaign_id: 'sample-campaign' },
    });
    expect(sample.headers['webhook-id']).toBe(test.body.delivery_id);

    // Logged with its body like any first attempt, a test send can be sent again.
    let resentTest = { status: 0 };
    await eventually(async () => {
      resentTest = await adminRequest('POST', `/v1/deliveries/${test.body.delivery_id}/resend`, acme);
      return resentTest.status !== 404;
    });
    expect(resentTest.status).toBe(202);
    const sampleAgain = (await receiver.waitFor(5))[4];
    expect([sampleAgain.headers['webhook-id'], sampleAgain.body]).toEqual([
      test.body.delivery_id,
      sample.body,
    ]);
  });

  it("answers 404 for another project's connection or delivery", async () => {
    const connection = await connect('acme', {
      name: 'private log',
      url: receiver.url,
      auth: { type: 'none' },
      messageEvents: ['message_open'],
      channels: ['whatsapp'],
    });
    const globex = { key: apiKeys['globex'] };
    expect((await adminRequest('GET', `/v1/connections/${connection.id}/deliveries`, globex)).status).toBe(
      404,
    );
    expect(
      (
        await adminRequest('POST', `/v1/connections/${connection.id}/test`, {
          ...globex,
          body: { event: 'message_open' },
        })
      ).status,
    ).toBe(404);
    const someDelivery = receiver.requests[0]?.headers['webhook-id'] ?? 'missing';
    expect((await adminRequest('POST', `/v1/deliveries/${someDelivery}/resend`, globex)).status).toBe(404);
    // Not a delivery id at all, whatever PostgreSQL would make of it.
    for (const notAnId of ['%00', 'd-1', encodeURIComponent('é'.repeat(40))]) {
      expect(
        (await adminRequest('POST', `/v1/deliveries/${notAnId}/resend`, { key: apiKeys['acme'] })).status,
      ).toBe(404);
    }
    expect((await adminRequest('GET', `/v1/connections/${connection.id}/deliveries`)).status).toBe(401);
  });

  it('logs the outcomes of every partition a fetch brings in one or two statements', async () => {
    const connectionId = randomUUID();
    const partitions = 8;
    const perPartition = 25;
    const outcomes = Array.from({ length: partitions * perPartition }, (_, index) => ({
      key: connectionId,
      partition: index % partitions,
      value: JSON.stringify({
        delivery_id: randomUUID(),
        connection_id: connectionId,
        project_id: 'acme',
        event: 'message_open',
        attempt: 1,
        status: 'delivered',
        http_status: 200,
        duration_ms: 12,
        error: null,
        next_attempt_at: null,
        time: new Date().toISOString(),
      }),
    }));
    const writesBefore = await metricValue('admin-api', 'webhooks_delivery_log_writes_total');
    await publish('webhooks.outcomes', outcomes);

    const client = new Client({ connectionString: process.env['DATABASE_URL'] });
    await client.connect();
    let statements: number;
    try {
      let logged = 0;
      for (let tries = 0; logged < outcomes.length && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const { rows } = await client.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM delivery_attempts WHERE connection_id = $1',
          [connectionId],
        );
        logged = rows[0].count;
      }
      expect(logged).toBe(outcomes.length);
      // Each statement commits on its own, so the rows one statement wrote share a transaction id.
      // Counted this way, outcomes that other connections log meanwhile are left out.
      const { rows } = await client.query<{ count: number }>(
        'SELECT count(DISTINCT xmin::text)::int AS count FROM delivery_attempts WHERE connection_id = $1',
        [connectionId],
      );
      statements = rows[0].count;
    } finally {
      await client.end();
    }
    // One partition at a time would take a statement each: eight.
    expect(statements).toBeLessThanOrEqual(4);
    const writes = (await metricValue('admin-api', 'webhooks_delivery_log_writes_total')) - writesBefore;
    expect(writes).toBeGreaterThanOrEqual(statements);
  });
});
