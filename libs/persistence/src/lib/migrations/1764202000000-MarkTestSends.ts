import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Test sends are logged like any attempt, but only the pipeline's deliveries tell whether an
 * endpoint has recovered: a test send that succeeds must not end a notify-on-error incident.
 */
export class MarkTestSends1764202000000 implements MigrationInterface {
  name = 'MarkTestSends1764202000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE delivery_attempts ADD COLUMN test_send boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE delivery_attempts DROP COLUMN test_send`);
  }
}
