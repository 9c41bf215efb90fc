import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotificationIncidents1764201700000 implements MigrationInterface {
  name = 'CreateNotificationIncidents1764201700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notification_incidents (
        connection_id text PRIMARY KEY,
        project_id text NOT NULL,
        email text NOT NULL,
        kind text NOT NULL,
        since timestamptz NOT NULL,
        last_error text NOT NULL,
        last_sent_at timestamptz NOT NULL,
        resolved_at timestamptz
      )`);
    // The repeat timer reads the open incidents on every tick.
    await queryRunner.query(
      `CREATE INDEX notification_incidents_open_idx ON notification_incidents (last_sent_at) WHERE resolved_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE notification_incidents`);
  }
}
