import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery log: one row per attempt and the request body of each delivery, both partitioned
 * by day so retention drops whole partitions instead of deleting rows.
 */
export class CreateDeliveryLog1764201750000 implements MigrationInterface {
  name = 'CreateDeliveryLog1764201750000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        delivery_id text NOT NULL,
        connection_id text NOT NULL,
        project_id text NOT NULL,
        event text NOT NULL,
        attempt integer NOT NULL,
        status text NOT NULL,
        http_status integer,
        duration_ms integer,
        error text,
        next_attempt_at timestamptz,
        time timestamptz NOT NULL,
        PRIMARY KEY (delivery_id, attempt, status, time)
      ) PARTITION BY RANGE (time)`);
    await queryRunner.query(`CREATE TABLE delivery_attempts_default PARTITION OF delivery_attempts DEFAULT`);
    await queryRunner.query(
      `CREATE INDEX delivery_attempts_connection_time_idx ON delivery_attempts (connection_id, time DESC, delivery_id, attempt)`,
    );
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
    await queryRunner.query(`CREATE INDEX delivery_requests_delivery_idx ON delivery_requests (delivery_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE delivery_requests`);
    await queryRunner.query(`DROP TABLE delivery_attempts`);
  }
}
