import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The notify-on-error state of one connection: its current (or last) failure incident, and when
 * its address was last emailed about it. One row per connection, reused by the next incident.
 */
@Entity({ name: 'notification_incidents' })
export class NotificationIncidentEntity {
  /** Text rather than uuid: the id comes from an alert record and must never fail a query. */
  @PrimaryColumn('text', { name: 'connection_id' })
  connectionId!: string;

  @Column('text', { name: 'project_id' })
  projectId!: string;

  /** The address last emailed about this incident; empty while nobody has been. */
  @Column('text')
  email!: string;

  /** The alert kind that opened the incident, or the latest one seen while it was open. */
  @Column('text')
  kind!: string;

  @Column('timestamptz')
  since!: Date;

  @Column('text', { name: 'last_error' })
  lastError!: string;

  /** The last "failing" or repeat email about the connection, in any incident. */
  @Column('timestamptz', { name: 'last_sent_at' })
  lastSentAt!: Date;

  /** Null while the incident is open; then the time of the success that ended it. */
  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  /** Until when a notifier replica holds the incident to email about it; null when none does. */
  @Column('timestamptz', { name: 'claimed_until', nullable: true })
  claimedUntil!: Date | null;
}
