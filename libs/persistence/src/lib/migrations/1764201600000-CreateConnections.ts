import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConnections1764201600000 implements MigrationInterface {
  name = 'CreateConnections1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY,
        project_id text NOT NULL,
        name text NOT NULL,
        url text NOT NULL,
        auth_type text NOT NULL,
        credentials text,
        message_events text[] NOT NULL DEFAULT '{}',
        channels text[] NOT NULL DEFAULT '{}',
        subscription_events text[] NOT NULL DEFAULT '{}',
        exclude_integration_sources boolean NOT NULL DEFAULT false,
        require_external_message_id boolean NOT NULL DEFAULT false,
        use_static_ip boolean NOT NULL DEFAULT false,
        notify_on_error_email text,
        active boolean NOT NULL DEFAULT true,
        templates jsonb NOT NULL DEFAULT '{}'::jsonb,
        version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX connections_project_id_idx ON connections (project_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE connections`);
  }
}
