import type { Alert, ConnectionSnapshot, Outcome } from '@campaign-webhooks/contracts';
import {
  endsIncident,
  isOpen,
  isRepeatDue,
  onFailure,
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
  mailer: Mailer;
  connections: { get(id: string): ConnectionSnapshot | undefined };
  intervalMs: number;
  counters: NotificationCounters;
  log: NotifierLog;
  now?: () => Date;
}

interface OpenIncident {
  since: Date;
  lastError: string;
}

/**
 * The notify-on-error use case: turns alerts, outcomes and the passing of time into emails,
 * following the incident policy, with the incident kept in the store. Work on one connection is
 * serialized, so an alert, an outcome and the repeat timer never race each other in a process.
 *
 * Emails that must not be lost (failing, resolved) are sent before the state that records them is
 * stored: a failure to send propagates, and the caller retries the record that caused it.
 */
export class IncidentNotifier {
  private readonly serializer = new KeyedSerializer();
  /** Open incidents as last seen; lets outcomes skip connections without one, with no query. */
  private openIncidents = new Map<string, OpenIncident>();
  private changes = 0;
  private readonly now: () => Date;

  constructor(private readonly deps: IncidentNotifierDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get openCount(): number {
    return this.openIncidents.size;
  }

  /** Whether an outcome of this connection could end an incident, as far as this process knows. */
  hasOpenIncident(connectionId: string): boolean {
    return this.openIncidents.has(connectionId);
  }

  handleAlert(alert: Alert): Promise<void> {
    return this.serializer.run(alert.connection_id, () =>
      alert.kind === 'recovered'
        ? this.succeeded(alert.connection_id, new Date(alert.time))
        : this.failed(alert),
    );
  }

  /** Outcomes end an incident too: any delivery that succeeded counts, alert or not. */
  async handleOutcomes(outcomes: readonly Outcome[]): Promise<void> {
    const byConnection = new Map<string, Outcome[]>();
    for (const outcome of outcomes) {
      if (!this.hasOpenIncident(outcome.connection_id) || outcome.status === 'skipped') continue;
      const ofConnection = byConnection.get(outcome.connection_id);
      if (ofConnection) ofConnection.push(outcome);
      else byConnection.set(outcome.connection_id, [outcome]);
    }
    await Promise.all(
      [...byConnection].map(([connectionId, ofConnection]) =>
        this.serializer.run(connectionId, () => this.applyOutcomes(connectionId, ofConnection)),
      ),
    );
  }

  /** The repeat timer's tick: emails every open incident whose interval has passed. */
  async checkOpenIncidents(): Promise<void> {
    const changesBefore = this.changes;
    const incidents = await this.deps.store.listOpen();
    const fresh = new Map(
      incidents.map((incident) => [
        incident.connectionId,
        { since: incident.since, lastError: incident.lastError },
      ]),
    );
    // What this process learnt while the query ran is newer than the query's answer.
    if (this.changes !== changesBefore) {
      for (const [connectionId, known] of this.openIncidents)
        if (!fresh.has(connectionId)) fresh.set(connectionId, known);
    }
    this.openIncidents = fresh;
    for (const incident of incidents) {
      try {
        await this.serializer.run(incident.connectionId, () => this.repeat(incident));
      } catch (error) {
        this.deps.log.warn(
          { err: error, connectionId: incident.connectionId },
          'repeat notification not sent',
        );
      }
    }
  }

  private async failed(alert: Alert): Promise<void> {
    if (alert.kind === 'recovered') return;
    const connection = this.deps.connections.get(alert.connection_id);
    const current = await this.deps.store.find(alert.connection_id);
    const email = connection?.active ? connection.notify_on_error_email : null;
    if (!isOpen(current) && !email) return;
    const now = this.now();
    const decision = onFailure(
      current,
      {
        connectionId: alert.connection_id,
        projectId: alert.project_id,
        kind: alert.kind,
        since: new Date(alert.since ?? alert.time),
        message: alert.message,
      },
      email ?? '',
      now,
    );
    if (decision.action === 'update') {
      await this.deps.store.update(alert.connection_id, {
        kind: decision.kind,
        lastError: decision.lastError,
      });
      this.remember(alert.connection_id, current?.since ?? now, decision.lastError);
    } else if (decision.action === 'open' && connection) {
      await this.notify('failing', decision.incident, connection, now);
      await this.deps.store.open(decision.incident);
      this.remember(alert.connection_id, decision.incident.since, decision.incident.lastError);
      this.deps.log.info({ connectionId: alert.connection_id, kind: alert.kind }, 'failure notified');
    }
  }

  private async succeeded(connectionId: string, succeededAt: Date): Promise<void> {
    const current = await this.deps.store.find(connectionId);
    if (!current || !endsIncident(current, succeededAt)) {
      if (!isOpen(current)) this.forget(connectionId);
      return;
    }
    const now = this.now();
    const connection = this.deps.connections.get(connectionId);
    if (connection?.notify_on_error_email) {
      await this.notify('resolved', { ...current, email: connection.notify_on_error_email }, connection, now);
    }
    await this.deps.store.resolve(connectionId, now);
    this.forget(connectionId);
    this.deps.log.info({ connectionId }, 'recovery notified');
  }

  private async applyOutcomes(connectionId: string, outcomes: Outcome[]): Promise<void> {
    const delivered = outcomes.filter((outcome) => outcome.status === 'delivered');
    if (delivered.length > 0) {
      return this.succeeded(connectionId, new Date(delivered[delivered.length - 1].time));
    }
    const known = this.openIncidents.get(connectionId);
    const latest = outcomes[outcomes.length - 1];
    if (!known || !latest.error || latest.error === known.lastError) return;
    if (new Date(latest.time).getTime() <= known.since.getTime()) return;
    await this.deps.store.update(connectionId, { lastError: latest.error });
    known.lastError = latest.error;
  }

  private async repeat(incident: Incident): Promise<void> {
    const now = this.now();
    if (!isRepeatDue(incident, now, this.deps.intervalMs)) return;
    const connection = this.deps.connections.get(incident.connectionId);
    if (!connection) {
      // Deleted: nothing left to fail or to recover.
      await this.deps.store.resolve(incident.connectionId, now);
      this.forget(incident.connectionId);
      return;
    }
    const email = connection.notify_on_error_email;
    // Deactivated or no address: the incident waits, silent, for one or the other to change.
    if (!connection.active || !email) return;
    if (!(await this.deps.store.moveLastSent(incident.connectionId, incident.lastSentAt, now))) return;
    try {
      await this.notify('repeat', { ...incident, email }, connection, now);
    } catch (error) {
      await this.deps.store.moveLastSent(incident.connectionId, now, incident.lastSentAt);
      throw error;
    }
    if (email !== incident.email) await this.deps.store.update(incident.connectionId, { email });
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

  private remember(connectionId: string, since: Date, lastError: string): void {
    this.openIncidents.set(connectionId, { since, lastError });
    this.changes++;
  }

  private forget(connectionId: string): void {
    this.openIncidents.delete(connectionId);
    this.changes++;
  }
}
