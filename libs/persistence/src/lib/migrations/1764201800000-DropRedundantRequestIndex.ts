import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * delivery_requests' primary key (delivery_id, created_at) already serves lookups by delivery_id;
 * the extra index only cost an index write per webhook.
 */
export class DropRedundantRequestIndex1764201800000 implements MigrationInterface {
  name = 'DropRedundantRequestIndex1764201800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_requests_delivery_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX delivery_requests_delivery_idx ON delivery_requests (delivery_id)`);
  }
}
