import { OUTCOME_HEADERS, topicNames } from '@campaign-webhooks/contracts';
import type { SendResult } from '@campaign-webhooks/http-delivery';
import type { PipelineRuntime } from '@campaign-webhooks/kafka';
import type { Egress } from '@campaign-webhooks/outbound-auth';
import type { ConnectionEntity, DeliveryLogStore } from '@campaign-webhooks/persistence';
import type { SecretBox } from '@campaign-webhooks/secrets';
import { renderDefaultBody } from '@campaign-webhooks/templating';
import { BadRequestException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { connectionEntity } from '../connections/connection-entity.fixture';
import { DeliveriesService } from './deliveries.service';
import { sampleEvent } from './sample-event';

const now = new Date('2026-01-10T12:00:00.000Z');

const connection = (templates: Record<string, unknown>) => connectionEntity({ templates });

/** The service with the connection stored as given, an endpoint answering 200 and a broker. */
function testSendOf(stored: ConnectionEntity) {
  const sentBodies: string[] = [];
  const outcomeBodies: (string | undefined)[] = [];
  const dataSource = { manager: { findOneBy: async () => stored } } as unknown as DataSource;
  const runtime = {
    producer: {
      send: async (records: { headers: Record<string, string> }[]) => {
        outcomeBodies.push(...records.map((record) => record.headers[OUTCOME_HEADERS.requestBody]));
      },
    },
  } as unknown as PipelineRuntime;
  const standard = {
    auth: { headersFor: async () => ({}) },
    sender: {
      send: async (request: { body: string }): Promise<SendResult> => {
        sentBodies.push(request.body);
        return { kind: 'response', status: 200, headers: {}, body: '', durationMs: 5 };
      },
    },
  } as unknown as Egress;
  const service = new DeliveriesService(
    dataSource,
    {} as DeliveryLogStore,
    runtime,
    topicNames({}),
    {} as SecretBox,
    { standard },
  );
  return { service, sentBodies, outcomeBodies };
}

describe('DeliveriesService.testSend', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });

  afterEach(() => jest.useRealTimers());

  it('answers a 400 naming the template, and sends nothing, when the saved one no longer compiles', async () => {
    // Stored directly: saving through the API would refuse it.
    const stored = connection({ message_send: { to: '{{no_such_field}}' } });
    const { service, sentBodies, outcomeBodies } = testSendOf(stored);

    const refusal = await service
      .testSend('acme', stored.id, 'message_send')
      .catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(BadRequestException);
    expect((refusal as BadRequestException).getResponse()).toMatchObject({
      errors: [
        {
          field: 'templates.message_send',
          message: expect.stringMatching(
            /^the saved template no longer compiles, so deliveries send the default body: Unknown placeholder \{\{no_such_field\}\}/,
          ),
        },
      ],
    });
    expect(sentBodies).toEqual([]);
    expect(outcomeBodies).toEqual([]);
  });

  it('sends the default body when the event has no template', async () => {
    const stored = connection({});
    const { service, sentBodies } = testSendOf(stored);

    await service.testSend('acme', stored.id, 'message_send');

    expect(sentBodies).toEqual([renderDefaultBody(sampleEvent('message_send', 'email', now))]);
  });

  it('sends the saved template when it compiles', async () => {
    const stored = connection({ message_send: { to: '{{email}}', from: '{{connection_name}}' } });
    const { service, sentBodies } = testSendOf(stored);

    await service.testSend('acme', stored.id, 'message_send');

    expect(sentBodies.map((body) => JSON.parse(body))).toEqual([
      { to: 'sample@example.com', from: 'CRM sync' },
    ]);
  });
});
