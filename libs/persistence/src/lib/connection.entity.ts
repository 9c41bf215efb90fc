import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

@Entity({ name: 'connections' })
@Index('connections_project_id_idx', ['projectId'])
export class ConnectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'project_id' })
  projectId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  url!: string;

  @Column('text', { name: 'auth_type' })
  authType!: string;

  /** AES-256-GCM sealed JSON of the auth type's secret fields. */
  @Column('text', { nullable: true })
  credentials!: string | null;

  @Column('text', { name: 'message_events', array: true })
  messageEvents!: string[];

  @Column('text', { array: true })
  channels!: string[];

  @Column('text', { name: 'subscription_events', array: true })
  subscriptionEvents!: string[];

  @Column('boolean', { name: 'exclude_integration_sources' })
  excludeIntegrationSources!: boolean;

  @Column('boolean', { name: 'require_external_message_id' })
  requireExternalMessageId!: boolean;

  @Column('boolean', { name: 'use_static_ip' })
  useStaticIp!: boolean;

  @Column('text', { name: 'notify_on_error_email', nullable: true })
  notifyOnErrorEmail!: string | null;

  @Column('boolean')
  active!: boolean;

  /** Custom templates by event name, as written (json keeps their keys' order). */
  @Column('json', { default: () => "'{}'::json" })
  templates!: Record<string, unknown>;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
