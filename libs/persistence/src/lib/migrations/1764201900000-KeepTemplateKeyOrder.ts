import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Templates move from jsonb to json, which keeps the text as written: a custom body's keys then
 * go out in the order the marketer wrote them. Templates saved before keep jsonb's order until
 * they are saved again.
 */
export class KeepTemplateKeyOrder1764201900000 implements MigrationInterface {
  name = 'KeepTemplateKeyOrder1764201900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE connections ALTER COLUMN templates DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE connections ALTER COLUMN templates TYPE json USING templates::json`);
    await queryRunner.query(`ALTER TABLE connections ALTER COLUMN templates SET DEFAULT '{}'::json`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE connections ALTER COLUMN templates DROP DEFAULT`);
    await queryRunner.query(
      `ALTER TABLE connections ALTER COLUMN templates TYPE jsonb USING templates::jsonb`,
    );
    await queryRunner.query(`ALTER TABLE connections ALTER COLUMN templates SET DEFAULT '{}'::jsonb`);
  }
}
