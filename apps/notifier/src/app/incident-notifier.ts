import type { Alert, ConnectionSnapshot } from '@campaign-webhooks/contracts';
import type { AttemptsSince, DeliveryLog } from './delivery-log';
import {
  endsIncident,
  failingEmailKind,
  isEmailDue,
  isOpen,
  onFailure,
  owesResolvedEmail,
  type Incident,
  type NotificationKind,
} from './incident-policy';
import type { IncidentStore } from './incident-store';
import { KeyedSerializer } from './keyed-serializer';
import { RecipientRejectedError, type Mailer } from './mailer';
import { composeEmail } from './notification-email';

export interface NotifierLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface NotificationCounters {
  sent(kind: NotificationKind): void;
  failed(kind: NotificationKind): void;
}

export interface IncidentNotifierDeps {
  store: IncidentStore;
  deliveryLog: DeliveryLog;
  mailer: Mailer;
  connections: { get(id: string): ConnectionSnapshot | undefined };
  intervalMs: number;
  counters: NotificationCounters;
  log: NotifierLog;
  now?: () => Date;
}

/** How long a replica holds an incident to email about it: longer than any SMTP exchange. */
const CLAIM_MS = 120_000;

/**
 * The notify-on-error use case: turns alerts, the delivery log and the passing of time into emails,
 * following the incident policy, with the incident kept in the store. Work on one connection is
 * serialized, so an alert and the repeat timer never race each other in a process.
 *
 * Emails that must not be lost (failing, resolved) are sent before the state that records them is
 * stored: a failure to send propagates, and the caller retries the alert, or the tick, that caused
 * it.
 */
export class IncidentNotifier {
  private readonly serializer = new KeyedSerializer();
  /** Connections with an open incident as last seen, for the gauge. */
  private openIncidents = new Set<string>();
  private changes = 0;
  private readonly now: () => Date;

  constructor(private readonly deps: IncidentNotifierDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get openCount(): number {
    return this.openIncidents.size;
  }

  handleAlert(alert: Alert): Promise<void> {
    return this.serializer.run(alert.connection_id, () =>
      alert.kind === 'recovered'
        ? this.succeeded(alert.connection_id, new Date(alert.time))
        : this.failed(alert),
    );
  }

  /**
   * The repeat timer's tick: ends the open incidents the delivery log shows a success for, keeps
   * the others' last error current, and emails those whose interval has passed. One query reads
   * the log for all of them.
   */
  async checkOpenIncidents(): Promise<void> {
    const changesBefore = this.changes;
    const incidents = await this.deps.store.listOpen();
    const fresh = new Set(incidents.map((incident) => incident.connectionId));
    // What this process learnt while the query ran is newer than the query's answer.
    if (this.changes !== changesBefore) {
      for (const connectionId of this.openIncidents) fresh.add(connectionId);
    }
    this.openIncidents = fresh;
    if (incidents.length === 0) return;
    const logged = await this.deps.deliveryLog.attemptsSince(incidents);
    for (const incident of incidents) {
      try {
        await this.serializer.run(incident.connectionId, () =>
          this.check(incident, logged.get(incident.connectionId)),
        );
      } catch (error) {
        this.deps.log.warn(
          { err: error, connectionId: incident.connectionId },
          'open incident not checked; trying again next tick',
        );
      }
    }
  }

  /**
   * An incident is kept whether or not anyone can be told now: delivery announces a streak once,
   * and the timer emails about it once the connection has an address and is active.
   */
  private async failed(alert: Alert): Promise<void> {
    if (alert.kind === 'recovered') return;
    const current = await this.deps.store.find(alert.connection_id);
    const decision = onFailure(current, {
      connectionId: alert.connection_id,
      projectId: alert.project_id,
      kind: alert.kind,
      since: new Date(alert.since ?? alert.time),
      time: new Date(alert.time),
      message: alert.message,
    });
    if (decision.action === 'ignore') return;
    if (decision.action === 'update') {
      await this.deps.store.update(alert.connection_id, {
        kind: decision.kind,
        lastError: decision.lastError,
      });
    } else {
      let incident = decision.incident;
      const connection = this.deps.connections.get(alert.connection_id);
      const email = connection?.active ? connection.notify_on_error_email : null;
      const now = this.now();
      if (connection && email && isEmailDue(incident, now, this.deps.intervalMs)) {
        incident = { ...incident, email, lastSentAt: now };
        await this.notify('failing', incident, connection, now);
        this.deps.log.info({ connectionId: alert.connection_id, kind: alert.kind }, 'failure notified');
      }
      await this.deps.store.open(incident);
    }
    this.remember(alert.connection_id);
  }

  /**
   * A `recovered` alert, or a success a tick found in the log. Replicas share the store, and one
   * may find the log's success while another takes the alert: only the one that claims the
   * incident sends. If another holds the claim, its email, or a later tick that finds the same
   * success in the log, ends the incident.
   */
  private async succeeded(connectionId: string, succeededAt: Date): Promise<void> {
    const current = await this.deps.store.find(connectionId);
    if (!current || !endsIncident(current, succeededAt)) {
      if (!isOpen(current)) this.forget(connectionId);
      return;
    }
    const now = this.now();
    const claimed = await this.whileClaimed(connectionId, async (incident) => {
      if (!endsIncident(incident, succeededAt)) return;
      const connection = this.deps.connections.get(connectionId);
      if (connection?.notify_on_error_email && owesResolvedEmail(incident)) {
        await this.notify(
          'resolved',
          { ...incident, email: connection.notify_on_error_email },
          connection,
          now,
        );
        this.deps.log.info({ connectionId }, 'recovery notified');
      }
      // The success's own time: an alert raised after it is about a new outage.
      await this.deps.store.resolve(connectionId, succeededAt);
      this.forget(connectionId);
    });
    if (!claimed) {
      this.deps.log.info({ connectionId }, 'recovery left to the replica that holds the incident');
    }
  }

  /** A success in the log ends the incident as a `recovered` alert would; a newer error is kept. */
  private async check(incident: Incident, logged: AttemptsSince | undefined): Promise<void> {
    if (logged?.deliveredAt) return this.succeeded(incident.connectionId, logged.deliveredAt);
    let current = incident;
    if (logged?.lastError && logged.lastError !== incident.lastError) {
      await this.deps.store.update(incident.connectionId, { lastError: logged.lastError });
      current = { ...incident, lastError: logged.lastError };
    }
    await this.emailIfDue(current);
  }

  /**
   * Runs `work` on the incident as it reads under this process's claim, if no other replica holds
   * one; false if one does. A claim lost in a crash only delays an email: the incident stays open,
   * and a later tick claims it once the claim has lapsed.
   */
  private async whileClaimed(
    connectionId: string,
    work: (claimed: Incident) => Promise<void>,
  ): Promise<boolean> {
    const claim = await this.deps.store.claim(connectionId, CLAIM_MS);
    if (!claim) return false;
    try {
      await work(claim.incident);
    } finally {
      await this.deps.store.release(connectionId, claim.until);
    }
    return true;
  }

  /** The "failing" email an incident is still owed, or a repeat, once the interval has passed. */
  private async emailIfDue(incident: Incident): Promise<void> {
    const now = this.now();
    const connection = this.deps.connections.get(incident.connectionId);
    if (!connection) {
      // Deleted: nothing left to fail or to recover.
      await this.deps.store.resolve(incident.connectionId, now);
      this.forget(incident.connectionId);
      return;
    }
    if (!isEmailDue(incident, now, this.deps.intervalMs)) return;
    const email = connection.notify_on_error_email;
    // Deactivated or no address: the incident waits, silent, for one or the other to change.
    if (!connection.active || !email) return;
    await this.whileClaimed(incident.connectionId, async (claimed) => {
      // Another replica may have sent it between this tick's read and the claim.
      if (!isEmailDue(claimed, now, this.deps.intervalMs)) return;
      await this.notify(failingEmailKind(claimed), { ...claimed, email }, connection, now);
      await this.deps.store.update(incident.connectionId, { lastSentAt: now, email });
    });
  }

  /**
   * Sends one email. A recipient the server refuses for good is counted and logged, then treated
   * as notified: retrying could never succeed, and would hold up every other alert.
   */
  private async notify(
    kind: NotificationKind,
    incident: Incident,
    connection: ConnectionSnapshot,
    now: Date,
  ): Promise<void> {
    const { subject, text } = composeEmail(kind, incident, connection, now, this.deps.intervalMs);
    try {
      await this.deps.mailer.send({ to: incident.email, subject, text });
      this.deps.counters.sent(kind);
    } catch (error) {
      this.deps.counters.failed(kind);
      if (!(error instanceof RecipientRejectedError)) throw error;
      this.deps.log.warn(
        { connectionId: incident.connectionId, kind, err: error },
        'recipient refused; not retried',
      );
    }
  }

  private remember(connectionId: string): void {
    this.openIncidents.add(connectionId);
    this.changes++;
  }

  private forget(connectionId: string): void {
    this.openIncidents.delete(connectionId);
    this.changes++;
  }
}
