import type { ConnectionFeed } from '@campaign-webhooks/connection-feed';
import {
  DELIVERY_HEADERS,
  eventLabel,
  OUTCOME_HEADERS,
  parseDeliveryHeaders,
  type Alert,
  type ConnectionSnapshot,
  type Credentials,
  type Outcome,
  type TopicNames,
} from '@campaign-webhooks/contracts';
import type { SendResult, WebhookSender } from '@campaign-webhooks/http-delivery';
import {
  deadLetterRecord,
  detachRecord,
  reasonCode,
  type BatchingProducer,
  type ConsumedRecord,
  type OutgoingRecord,
} from '@campaign-webhooks/kafka';
import type { OutboundAuth } from '@campaign-webhooks/outbound-auth';
import type { Logger } from 'pino';
import { judgeAttempt, type AttemptVerdict } from './attempt-result';
import { ConnectionLane, EndpointFailure, LaneRegistry, type LaneOptions } from './connection-lane';
import type { CredentialsCache } from './credentials-cache';
import { statusClass, type DeliveryMetrics } from './delivery-metrics';
import type { FailureAlerts } from './failure-alerts';
import type { RetrySchedule } from './retry-schedule';

interface Delivery {
  record: ConsumedRecord;
  id: string;
  connectionId: string;
  projectId: string;
  event: string;
  attempt: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Sent {
  result: SendResult;
  verdict: AttemptVerdict;
  /** Our side could not authenticate (the token endpoint failed), no request was made. */
  authFailure?: boolean;
  /** The auth headers the request carried. */
  authHeaders?: Record<string, string>;
  /** Failed on our side before any request went out (a refused address among them): no duration to measure. */
  notSent?: boolean;
}

export interface DeliveryEngineDeps {
  topics: TopicNames;
  connections: Pick<ConnectionFeed, 'get' | 'isBehind' | 'catchUp'>;
  credentials: CredentialsCache;
  sender: WebhookSender;
  /** Sender through the static egress, when the deployment configured one. */
  staticSender?: WebhookSender;
  auth: OutboundAuth;
  /** Outbound auth through the static egress (OAuth token requests), with `staticSender`. */
  staticAuth?: OutboundAuth;
  producer: BatchingProducer;
  schedule: RetrySchedule;
  lanes: LaneOptions;
  alerts: FailureAlerts;
  metrics: DeliveryMetrics;
  logger: Logger;
}

/**
 * Delivers one record of the deliveries or retries topic: one attempt through the connection's
 * lane, then its outcome, and the retry or dead letter it calls for. Resolves once everything it
 * produced is acknowledged, so the record may be committed.
 */
export class DeliveryEngine {
  private readonly lanes = new LaneRegistry();
  private readonly dueWaits = new Set<() => void>();
  private handingBack = false;
  private requestsInFlight = 0;

  constructor(private readonly deps: DeliveryEngineDeps) {}

  /** Open or half-open: a half-open breaker's endpoint has not answered its trial yet. */
  get openBreakers(): number {
    let open = 0;
    for (const lane of this.lanes.values()) if (lane.isTripped) open++;
    return open;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.requestsInFlight;
  }

  /**
   * Called when the service stops taking records: deliveries waiting for their due time or for a
   * lane slot go back to the retry topic unsent, so the partition commits past them, the service
   * stops within the timeout of the requests in flight, and nothing is sent twice after a restart.
   */
  handBack(): void {
    this.handingBack = true;
    for (const wake of this.dueWaits) wake();
    for (const lane of this.lanes.values()) lane.close();
  }

  shutdown(): void {
    this.lanes.shutdown();
  }

  async closeSenders(): Promise<void> {
    await Promise.all([this.deps.sender.close(), this.deps.staticSender?.close()]);
  }

  /**
   * Delivers one record. Once `revoked` aborts (a rebalance gave its partition to another
   * member, which reads it again), a record still waiting stops there, producing nothing: sending
   * it too would start a second chain of attempts for the same delivery.
   */
  async handle(record: ConsumedRecord, revoked?: AbortSignal): Promise<void> {
    const parsed = parseDeliveryHeaders(record.headers);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const reason = `invalid_record: header ${issue.path.join('.')}: ${issue.message}`;
      this.deps.metrics.deadLetters.inc({ topic: record.topic, reason: 'invalid_record' });
      return this.deps.producer.send([deadLetterRecord(this.deps.topics.deadLetter, record, reason)]);
    }
    const headers = parsed.data;
    const delivery: Delivery = {
      record,
      id: headers[DELIVERY_HEADERS.deliveryId],
      connectionId: headers[DELIVERY_HEADERS.connectionId],
      projectId: headers[DELIVERY_HEADERS.projectId],
      event: headers[DELIVERY_HEADERS.event],
      attempt: headers[DELIVERY_HEADERS.attempt],
      headers: record.headers,
      body: record.value ?? Buffer.alloc(0),
    };
    const dueAt = headers[DELIVERY_HEADERS.dueAt] ?? 0;
    // Most records are due when they arrive; only the others wait on a promise.
    const mustWait = this.handingBack || dueAt > Date.now();
    if (mustWait) {
      detach(delivery);
      const waited = await this.untilDue(dueAt, revoked);
      if (waited === 'revoked') return;
      if (waited === 'handed_back') return this.park(delivery, dueAt - Date.now(), 'shutdown');
    }

    if (this.deps.connections.isBehind(delivery.connectionId, headers[DELIVERY_HEADERS.connectionVersion])) {
      detach(delivery);
      const caughtUp = await this.deps.connections.catchUp([delivery.connectionId]);
      if (revoked?.aborted) return;
      if (!caughtUp) return this.park(delivery, 1_000, 'connections_behind');
    }
    const connection = this.deps.connections.get(delivery.connectionId);
    if (!connection) return this.send([this.outcome(delivery, 'skipped', { error: 'connection_deleted' })]);
    if (!connection.active)
      return this.send([this.outcome(delivery, 'skipped', { error: 'connection_inactive' })]);

    const lane = this.laneFor(connection);
    if (!lane.tryAcquire()) {
      const slot = lane.enqueue();
      if (!slot) return this.turnedAway(lane, delivery);
      // Only a delivery that waits in the queue lets go of its fetch response.
      detach(delivery);
      const granted = await slot;
      if (revoked?.aborted) return granted ? lane.giveBack() : undefined;
      if (!granted) return this.turnedAway(lane, delivery);
    }
    const acquiredAt = performance.now();
    let sent: Sent | 'circuit_open';
    try {
      sent = await this.attempt(lane, connection, delivery);
    } finally {
      lane.release(performance.now() - acquiredAt);
    }
    // Taken away while the request was out: the new owner attempts it again and continues its
    // chain, so this attempt only reports what happened.
    const handedOver = revoked?.aborted ?? false;
    if (sent === 'circuit_open') {
      return handedOver ? undefined : this.park(delivery, this.deps.lanes.breakerResetMs, 'circuit_open');
    }
    const { records, alerts } = this.conclude(connection, delivery, sent, handedOver);
    return this.publish(records, alerts);
  }

  /** Parks a delivery its lane would not take: closing, breaker open, or queue full. */
  private turnedAway(lane: ConnectionLane, delivery: Delivery): Promise<void> {
    if (this.handingBack) return this.park(delivery, 1_000, 'shutdown');
    if (lane.isRefusing) return this.park(delivery, this.deps.lanes.breakerResetMs, 'circuit_open');
    // Back when the queue ahead has drained, so a slow endpoint's backlog is not re-read every
    // second; but no later than an open breaker's records would be.
    return this.park(delivery, Math.min(lane.drainEstimateMs(), this.deps.lanes.breakerResetMs), 'lane_full');
  }

  private async attempt(
    lane: ConnectionLane,
    connection: ConnectionSnapshot,
    delivery: Delivery,
  ): Promise<Sent | 'circuit_open'> {
    let credentials: Credentials;
    try {
      credentials = this.deps.credentials.for(connection);
    } catch {
      // Most likely a SECRETS_KEY other than admin-api's: retried, and alerted, until fixed. The
      // error itself is not kept: it could quote what it failed to read.
      return {
        ...failedBeforeSending('auth_failure: the stored credentials could not be decrypted or read'),
        authFailure: true,
      };
    }
    let sent = await this.attemptOnce(lane, connection, credentials, delivery);
    if (sent !== 'circuit_open' && sent.verdict.kind === 'auth_rejected' && credentials.type === 'oauth2') {
      // A rejected OAuth token may just be stale: fetch a new one and try once more.
      this.authFor(connection).rejected(connection.id, credentials, sent.authHeaders ?? {});
      sent = await this.attemptOnce(lane, connection, credentials, delivery);
    }
    return sent;
  }

  private authFor(connection: ConnectionSnapshot): OutboundAuth {
    return (connection.use_static_ip && this.deps.staticAuth) || this.deps.auth;
  }

  private async attemptOnce(
    lane: ConnectionLane,
    connection: ConnectionSnapshot,
    credentials: Credentials,
    delivery: Delivery,
  ): Promise<Sent | 'circuit_open'> {
    const sender = connection.use_static_ip ? this.deps.staticSender : this.deps.sender;
    if (!sender) return failedBeforeSending('static_egress_not_configured: no static egress is configured');
    const timestamp = Math.floor(Date.now() / 1000);
    let authHeaders: Record<string, string>;
    try {
      authHeaders = await this.authFor(connection).headersFor(connection.id, credentials, {
        id: delivery.id,
        timestamp,
        body: delivery.body,
      });
    } catch (error) {
      return { ...failedBeforeSending(`auth_failure: ${(error as Error).message}`), authFailure: true };
    }
    const request = {
      url: connection.url,
      body: delivery.body,
      headers: { 'webhook-id': delivery.id, 'webhook-timestamp': String(timestamp), ...authHeaders },
    };
    this.requestsInFlight++;
    try {
      return (await lane.breaker.fire(async () => {
        const result = await sender.send(request);
        const sent: Sent = {
          result,
          verdict: judgeAttempt(result),
          authHeaders,
          notSent: refusedAddress(result),
        };
        if (sent.verdict.kind === 'retry') throw new EndpointFailure<Sent>(sent);
        return sent;
      })) as Sent;
    } catch (error) {
      if (error instanceof EndpointFailure) return error.result as Sent;
      // Open, or half-open with its one trial request already under way.
      if (lane.isOpen || isBreakerRejection(error)) return 'circuit_open';
      throw error;
    } finally {
      this.requestsInFlight--;
    }
  }

  /**
   * The outcome of the attempt and, unless the delivery was handed over to another member, the
   * retry or dead letter; and the alerts it calls for.
   */
  private conclude(
    connection: ConnectionSnapshot,
    delivery: Delivery,
    sent: Sent,
    handedOver: boolean,
  ): { records: OutgoingRecord[]; alerts: Alert[] } {
    const { result, verdict } = sent;
    const httpStatus = result.kind === 'response' ? result.status : null;
    const detail = { httpStatus, durationMs: result.durationMs };
    const records: OutgoingRecord[] = [];
    const alerts: (Alert | undefined)[] = [];
    let status: Outcome['status'];

    if (verdict.kind === 'delivered') {
      status = 'delivered';
      records.push(this.outcome(delivery, status, detail));
      alerts.push(this.deps.alerts.succeeded(connection.id, connection.project_id));
    } else {
      const authTrouble = verdict.kind === 'auth_rejected' || sent.authFailure;
      alerts.push(
        authTrouble
          ? this.deps.alerts.authFailed(connection.id, connection.project_id, verdict.error)
          : this.deps.alerts.failed(connection.id, connection.project_id, verdict.error),
      );
      const delay =
        verdict.kind === 'retry'
          ? this.deps.schedule.delayAfter(delivery.attempt, verdict.retryAfterMs)
          : undefined;
      if (handedOver) {
        // The new owner reads the record again at once and makes this attempt over.
        status = 'retrying';
        records.push(
          this.outcome(delivery, status, { ...detail, error: verdict.error, nextAttemptAt: Date.now() }),
        );
      } else if (delay !== undefined) {
        status = 'retrying';
        const dueAt = Date.now() + delay;
        records.push(this.retryRecord(delivery, delivery.attempt + 1, dueAt));
        records.push(
          this.outcome(delivery, status, { ...detail, error: verdict.error, nextAttemptAt: dueAt }),
        );
      } else {
        status = 'failed';
        const reason =
          verdict.kind === 'retry'
            ? `retries_exhausted: ${verdict.error}`
            : `delivery_failed: ${verdict.error}`;
        records.push(this.outcome(delivery, status, { ...detail, error: reason }));
        records.push(deadLetterRecord(this.deps.topics.deadLetter, delivery.record, reason));
        this.deps.metrics.deadLetters.inc({
          topic: delivery.record.topic,
          reason: reasonCode(reason),
        });
      }
    }
    this.deps.metrics.attempts.inc({
      event: eventLabel(delivery.event),
      outcome: status,
      status_class: statusClass(httpStatus),
      auth_type: connection.auth_type,
    });
    if (!sent.notSent) this.deps.metrics.duration.observe({ outcome: status }, result.durationMs / 1000);
    this.logAttempt(connection, delivery, status, httpStatus, result.durationMs, verdict);
    return { records, alerts: alerts.filter((alert) => alert !== undefined) };
  }

  /**
   * One line per attempt, correlated by `delivery_id` (the `webhook-id` the endpoint saw): at debug
   * level, or warn for a delivery that failed for good. No header or body: they may hold secrets.
   */
  private logAttempt(
    connection: ConnectionSnapshot,
    delivery: Delivery,
    status: Outcome['status'],
    httpStatus: number | null,
    durationMs: number,
    verdict: AttemptVerdict,
  ): void {
    const level = status === 'failed' ? 'warn' : 'debug';
    if (!this.deps.logger.isLevelEnabled(level)) return;
    this.deps.logger[level](
      {
        delivery_id: delivery.id,
        connection_id: connection.id,
        project_id: connection.project_id,
        event: delivery.event,
        attempt: delivery.attempt,
        status,
        http_status: httpStatus,
        duration_ms: Math.round(durationMs),
        error: verdict.kind === 'delivered' ? undefined : verdict.error,
      },
      `delivery ${status}`,
    );
  }

  /** Waits until `dueAt`, or until the engine hands its work back, or the record is taken away. */
  private untilDue(dueAt: number, revoked?: AbortSignal): Promise<'due' | 'handed_back' | 'revoked'> {
    const wait = dueAt - Date.now();
    if (revoked?.aborted) return Promise.resolve('revoked');
    if (this.handingBack) return Promise.resolve('handed_back');
    if (wait <= 0) return Promise.resolve('due');
    return new Promise((resolve) => {
      const settle = (how: 'due' | 'handed_back' | 'revoked') => {
        clearTimeout(timer);
        this.dueWaits.delete(handBack);
        revoked?.removeEventListener('abort', onRevoked);
        resolve(how);
      };
      const handBack = () => settle('handed_back');
      const onRevoked = () => settle('revoked');
      const timer = setTimeout(() => settle('due'), wait);
      this.dueWaits.add(handBack);
      revoked?.addEventListener('abort', onRevoked, { once: true });
    });
  }

  /** Hands a delivery to the retry topic without an attempt (breaker open, lane full, shutdown). */
  private park(delivery: Delivery, delayMs: number, reason: string): Promise<void> {
    this.deps.metrics.parked.inc({ reason });
    return this.send([this.retryRecord(delivery, delivery.attempt, Date.now() + Math.max(1_000, delayMs))]);
  }

  private laneFor(connection: ConnectionSnapshot): ConnectionLane {
    return this.lanes.get(connection.id, () => {
      const lane = new ConnectionLane(this.deps.lanes);
      if (this.handingBack) lane.close();
      lane.breaker.on('open', () => {
        const alert = this.deps.alerts.circuitOpened(connection.id, connection.project_id);
        if (!alert) return;
        // Raised again when the breaker next opens (a failed half-open trial).
        this.publish([], [alert]).catch((error: unknown) =>
          this.deps.logger.error({ err: error }, 'circuit_open alert not published'),
        );
      });
      return lane;
    });
  }

  private send(records: OutgoingRecord[]): Promise<void> {
    return this.deps.producer.send(records);
  }

  /** Produces `records` and `alerts` together; an alert counts as raised once acknowledged. */
  private async publish(records: OutgoingRecord[], alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return this.send(records);
    try {
      await this.send([...records, ...alerts.map((alert) => this.alertRecord(alert))]);
    } catch (error) {
      for (const alert of alerts) this.deps.alerts.notPublished(alert);
      throw error;
    }
  }

  private retryRecord(delivery: Delivery, attempt: number, dueAt: number): OutgoingRecord {
    return {
      topic: this.deps.topics.retries,
      key: delivery.connectionId,
      value: delivery.body,
      headers: {
        ...delivery.headers,
        [DELIVERY_HEADERS.attempt]: String(attempt),
        // The header holds whole milliseconds; a delay may come as a fraction.
        [DELIVERY_HEADERS.dueAt]: String(Math.round(dueAt)),
      },
    };
  }

  private alertRecord(alert: Alert): OutgoingRecord {
    return { topic: this.deps.topics.alerts, key: alert.connection_id, value: JSON.stringify(alert) };
  }

  private outcome(
    delivery: Delivery,
    status: Outcome['status'],
    detail: {
      httpStatus?: number | null;
      durationMs?: number;
      error?: string | null;
      nextAttemptAt?: number;
    },
  ): OutgoingRecord {
    const outcome: Outcome = {
      delivery_id: delivery.id,
      connection_id: delivery.connectionId,
      project_id: delivery.projectId,
      event: delivery.event,
      attempt: status === 'skipped' ? 0 : delivery.attempt,
      status,
      http_status: detail.httpStatus ?? null,
      duration_ms: detail.durationMs === undefined ? null : Math.round(detail.durationMs),
      error: detail.error ?? null,
      next_attempt_at:
        detail.nextAttemptAt === undefined ? null : new Date(detail.nextAttemptAt).toISOString(),
      time: new Date().toISOString(),
    };
    return {
      topic: this.deps.topics.outcomes,
      key: delivery.connectionId,
      value: JSON.stringify(outcome),
      headers: delivery.attempt === 1 ? { [OUTCOME_HEADERS.requestBody]: delivery.body } : undefined,
    };
  }
}

/** A delivery about to wait lets go of the fetch response its record came in. */
function detach(delivery: Delivery): void {
  detachRecord(delivery.record);
  delivery.body = delivery.record.value ?? Buffer.alloc(0);
}

function isBreakerRejection(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EOPENBREAKER';
}

/** The sender refused the address before connecting: no request went out. */
function refusedAddress(result: SendResult): boolean {
  return result.kind === 'error' && result.error === 'forbidden_address';
}

function failedBeforeSending(error: string): Sent {
  return {
    result: { kind: 'error', error: 'other', message: error, durationMs: 0 },
    verdict: { kind: 'retry', error },
    notSent: true,
  };
}
