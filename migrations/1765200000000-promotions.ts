import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promotions (issue 14): one row per promotion, its scope given by which of user_id and info_hash are set (neither:
 * the whole site; both: a freeleech token). Factors only ever help the user; a missing one is stored as 1. No
 * foreign keys: a promotion outlives a deleted user or torrent (it stops applying, GET still reads it).
 */
export class Promotions1765200000000 implements MigrationInterface {
  name = 'Promotions1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE promotions (
        id bigserial PRIMARY KEY,
        user_id integer CHECK (user_id > 0),
        info_hash char(40) CHECK (info_hash ~ '^[0-9a-f]{40}$'),
        upload_factor double precision NOT NULL DEFAULT 1 CHECK (upload_factor >= 1),
        download_factor double precision NOT NULL DEFAULT 1 CHECK (download_factor >= 0 AND download_factor <= 1),
        starts_at timestamptz,
        ends_at timestamptz,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
      )`);
    await queryRunner.query(
      `CREATE INDEX promotions_user_id_idx ON promotions (user_id, id) WHERE user_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX promotions_info_hash_idx ON promotions (info_hash, id) WHERE info_hash IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE promotions`);
  }
}
