import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request body moves into the delivery log's attempt rows (the first attempt of each delivery
 * carries it), so a delivery is one row instead of two and the log reads one topic. Bodies already
 * logged are copied to their deliveries' first attempts; a delivery not yet attempted at the
 * upgrade is logged with its body when it is.
 */
export class KeepBodyWithFirstAttempt1764201850000 implements MigrationInterface {
  name = 'KeepBodyWithFirstAttempt1764201850000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD COLUMN body text`);
    await queryRunner.query(`
      UPDATE delivery_attempts a SET body = r.body
        FROM delivery_requests r
       WHERE a.delivery_id = r.delivery_id AND a.project_id = r.project_id AND a.attempt <= 1`);
    await queryRunner.query(`DROP TABLE delivery_requests`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE delivery_requests (
        delivery_id text NOT NULL,
        connection_id text NOT NULL,
        project_id text NOT NULL,
        event text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (delivery_id, created_at)
      ) PARTITION BY RANGE (created_at)`);
    await queryRunner.query(`CREATE TABLE delivery_requests_default PARTITION OF delivery_requests DEFAULT`);
    await queryRunner.query(`
      INSERT INTO delivery_requests (delivery_id, connection_id, project_id, event, body, created_at)
      SELECT DISTINCT ON (delivery_id) delivery_id, connection_id, project_id, event, body, time
        FROM delivery_attempts WHERE body IS NOT NULL ORDER BY delivery_id, time`);
    await queryRunner.query(`ALTER TABLE delivery_attempts DROP COLUMN body`);
  }
}
