import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notifier replica claims an incident for a while before it emails about it, so that replicas
 * sharing the table never send the same email twice; a claim lost in a crash lapses on its own.
 */
export class ClaimIncidents1764201950000 implements MigrationInterface {
  name = 'ClaimIncidents1764201950000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notification_incidents ADD COLUMN claimed_until timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notification_incidents DROP COLUMN claimed_until`);
  }
}
