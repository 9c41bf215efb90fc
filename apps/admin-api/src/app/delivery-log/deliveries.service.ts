import { randomUUID } from 'node:crypto';
import {
  DELIVERY_HEADERS,
  isChannel,
  OUTCOME_HEADERS,
  type Credentials,
  type Outcome,
  type TopicNames,
} from '@campaign-webhooks/contracts';
import type { SendResult } from '@campaign-webhooks/http-delivery';
import type { PipelineRuntime } from '@campaign-webhooks/kafka';
import { sendAuthenticated, type Egress } from '@campaign-webhooks/outbound-auth';
import { ConnectionEntity, type DeliveryLogStore, type LoggedAttempt } from '@campaign-webhooks/persistence';
import type { SecretBox } from '@campaign-webhooks/secrets';
import { parseTemplate, renderDefaultBody } from '@campaign-webhooks/templating';
import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { validationFailed } from '../field-errors';
import { templateFieldError } from '../templates/template-document';
import { sampleEvent } from './sample-event';
import { openCredentials } from '../connections/connection-credentials';
import { isUuid } from '../connections/connection-store';

export interface AttemptPage {
  items: LoggedAttempt[];
  nextCursor: string | null;
}

/** The delivery log, resends and test sends of one project's connections. */
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: DeliveryLogStore,
    private readonly runtime: PipelineRuntime,
    private readonly topics: TopicNames,
    private readonly secrets: SecretBox,
    /** Test sends leave as deliveries do: the static egress for "use static IP" connections. */
    private readonly egresses: { standard: Egress; static?: Egress },
  ) {}

  async attempts(
    projectId: string,
    connectionId: string,
    filter: { status?: string; event?: string; limit: number; cursor?: string },
  ): Promise<AttemptPage> {
    // The log holds the id as written when the connection was made; the path may spell it in capitals.
    const connection = await this.connection(projectId, connectionId);
    const items = await this.log.attempts({
      projectId,
      connectionId: connection.id,
      status: filter.status,
      event: filter.event,
      limit: filter.limit,
      after: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    });
    const last = items[filter.limit - 1];
    return { items, nextCursor: last ? encodeCursor(last) : null };
  }

  /** Sends a delivery again, with its webhook-id and body, through the pipeline's delivery service. */
  async resend(projectId: string, deliveryId: string): Promise<{ deliveryId: string; connectionId: string }> {
    // Delivery ids are UUIDs; anything else, a NUL included, is not one the log could hold.
    const request = isUuid(deliveryId) ? await this.log.request(projectId, deliveryId.toLowerCase()) : null;
    if (!request) throw new NotFoundException(`delivery ${deliveryId} not found`);
    await this.connection(projectId, request.connectionId);
    try {
      await this.runtime.producer.send([
        {
          topic: this.topics.deliveries,
          key: request.connectionId,
          value: request.body,
          headers: {
            [DELIVERY_HEADERS.deliveryId]: request.deliveryId,
            [DELIVERY_HEADERS.connectionId]: request.connectionId,
            [DELIVERY_HEADERS.projectId]: request.projectId,
            [DELIVERY_HEADERS.event]: request.event,
            [DELIVERY_HEADERS.attempt]: '1',
          },
        },
      ]);
    } catch {
      throw new ServiceUnavailableException('the deliveries topic is unavailable; try again');
    }
    return { deliveryId: request.deliveryId, connectionId: request.connectionId };
  }

  /** Sends a sample event of the given type to the connection now, and reports the attempt. */
  async testSend(projectId: string, connectionId: string, event: string): Promise<Outcome> {
    const connection = await this.connection(projectId, connectionId);
    const channel = connection.channels.find(isChannel);
    const sample = sampleEvent(event, channel);
    const template = connection.templates[event];
    const parsed = template !== undefined ? parseTemplate(event, template) : undefined;
    // A saved template that no longer compiles (a later release checks more): deliveries send the
    // default body, and a test send is where the marketer learns why, before sending anything.
    if (parsed && !parsed.ok) {
      throw validationFailed(
        parsed.errors.slice(0, 3).map((error) => ({
          ...templateFieldError(error),
          field: `templates.${event}`,
          message: `the saved template no longer compiles, so deliveries send the default body: ${error.message}`,
        })),
      );
    }
    const body = parsed?.ok
      ? parsed.template.render({
          ...sample,
          project_id: projectId,
          connection_name: connection.name,
          profile: { first_name: 'Sample', last_name: 'Profile' },
        })
      : renderDefaultBody(sample);
    const credentials = openCredentials(this.secrets, connection);
    const id = randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    const egress = connection.useStaticIp ? this.egresses.static : this.egresses.standard;
    const result: SendResult = egress
      ? await sendTest(egress, connection, credentials, { id, timestamp, body })
      : {
          kind: 'error',
          error: 'other',
          message: 'static_egress_not_configured: no static egress is configured',
          durationMs: 0,
        };
    const delivered = result.kind === 'response' && result.status >= 200 && result.status < 300;
    const outcome: Outcome = {
      delivery_id: id,
      connection_id: connection.id,
      project_id: projectId,
      event,
      attempt: 1,
      status: delivered ? 'delivered' : 'failed',
      http_status: result.kind === 'response' ? result.status : null,
      duration_ms: Math.round(result.durationMs),
      error: delivered
        ? null
        : result.kind === 'response'
          ? `http_${result.status}`
          : `${result.error}: ${result.message}`,
      next_attempt_at: null,
      time: new Date().toISOString(),
    };
    // Test sends appear in the delivery log like any attempt, with their body so that they can be
    // resent; a broker outage doesn't hide the answer.
    await this.runtime.producer
      .send([
        {
          topic: this.topics.outcomes,
          key: connection.id,
          value: JSON.stringify(outcome),
          headers: { [OUTCOME_HEADERS.requestBody]: body, [OUTCOME_HEADERS.testSend]: 'true' },
        },
      ])
      .catch(() => undefined);
    return outcome;
  }

  private async connection(projectId: string, id: string): Promise<ConnectionEntity> {
    const found = isUuid(id)
      ? await this.dataSource.manager.findOneBy(ConnectionEntity, { id, projectId })
      : null;
    if (!found) throw new NotFoundException(`connection ${id} not found`);
    return found;
  }
}

function encodeCursor(attempt: LoggedAttempt): string {
  return Buffer.from(JSON.stringify([attempt.time, attempt.deliveryId, attempt.attempt])).toString(
    'base64url',
  );
}

/** The form `Date.toISOString` writes, which is how a cursor's time was made. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_INT4 = 2 ** 31 - 1;

function decodeCursor(cursor: string): { time: string; deliveryId: string; attempt: number } {
  try {
    const [time, deliveryId, attempt] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Checked as the database would read them: a cursor made by hand is a 400, not a failed query.
    if (
      typeof time === 'string' &&
      ISO_TIME.test(time) &&
      // Not a date that rolls over, such as 30 February, nor year 0, which PostgreSQL has not.
      new Date(time).toISOString() === time &&
      time >= '0001' &&
      typeof deliveryId === 'string' &&
      !deliveryId.includes('\0') &&
      Number.isInteger(attempt) &&
      attempt >= 0 &&
      attempt <= MAX_INT4
    ) {
      return { time, deliveryId, attempt };
    }
  } catch {
    // falls through to the 400 below
  }
  throw new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'validation failed',
    errors: [{ field: 'cursor', message: 'cursor must be a value returned as nextCursor' }],
  });
}

/** Like a delivery attempt, a 401/403 to an OAuth 2.0 token is sent once more with a new token. */
async function sendTest(
  egress: Egress,
  connection: ConnectionEntity,
  credentials: Credentials,
  request: { id: string; timestamp: number; body: string },
): Promise<SendResult> {
  try {
    return await sendAuthenticated(
      egress,
      { connectionId: connection.id, url: connection.url },
      credentials,
      request,
    );
  } catch (error) {
    return {
      kind: 'error',
      error: 'other',
      message: `auth_failure: ${(error as Error).message}`,
      durationMs: 0,
    };
  }
}
