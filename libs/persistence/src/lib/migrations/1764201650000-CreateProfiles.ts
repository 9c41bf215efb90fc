import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProfiles1764201650000 implements MigrationInterface {
  name = 'CreateProfiles1764201650000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE profiles (
        project_id text NOT NULL,
        profile_id text NOT NULL,
        attributes jsonb NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (project_id, profile_id)
      )`);
    // Tombstones on the profiles topic carry only the key, the profile id.
    await queryRunner.query(`CREATE INDEX profiles_profile_id_idx ON profiles (profile_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE profiles`);
  }
}
