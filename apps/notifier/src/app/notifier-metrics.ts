import type { PipelineMetrics } from '@campaign-webhooks/observability';
import { Counter, Gauge } from 'prom-client';
import type { NotificationCounters } from './incident-notifier';
import type { NotificationKind } from './incident-policy';

export class NotifierMetrics implements NotificationCounters {
  readonly alerts: Counter<'kind'>;
  private readonly notificationsSent: Counter<'kind'>;
  private readonly notificationFailures: Counter<'kind'>;

  constructor(metrics: PipelineMetrics, openIncidents: () => number) {
    const registers = [metrics.registry];
    this.alerts = new Counter({
      name: 'webhooks_alerts_received_total',
      help: 'Failure alerts read, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.notificationsSent = new Counter({
      name: 'webhooks_notifications_sent_total',
      help: 'Notify-on-error emails the mail server accepted, by kind (failing, repeat, resolved).',
      labelNames: ['kind'],
      registers,
    });
    this.notificationFailures = new Counter({
      name: 'webhooks_notification_failures_total',
      help: 'Notify-on-error emails that could not be sent (each attempt), by kind.',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'webhooks_notification_incidents_open',
      help: 'Connections whose endpoint is failing and whose address is being notified.',
      registers,
      collect() {
        this.set(openIncidents());
      },
    });
  }

  sent(kind: NotificationKind): void {
    this.notificationsSent.inc({ kind });
  }

  failed(kind: NotificationKind): void {
    this.notificationFailures.inc({ kind });
  }
}
