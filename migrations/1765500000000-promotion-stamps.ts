import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What lets the lookup cache check a user's promotions for change in one index probe, whatever their number
 * (issue 14: a user may hold thousands of tokens): promotion_stamps holds, per user who ever had a promotion, a stamp
 * that statement-level triggers on promotions renew (from a sequence, so it never repeats) on every insert, update
 * or delete of that user's promotions, whoever writes them (the admin API, a site's own SQL). A truncate empties it,
 * which also reads as a change. And an index of the torrent-scope and site-wide promotions (no user), which the
 * per-user indexes do not cover: without it, reading a torrent's promotions walks every token on it, and reading
 * the site-wide ones scans the table.
 */
export class PromotionStamps1765500000000 implements MigrationInterface {
  name = 'PromotionStamps1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE promotion_stamp_seq`);
    await queryRunner.query(`
      CREATE TABLE promotion_stamps (
        user_id integer PRIMARY KEY,
        stamp bigint NOT NULL
      )`);
    await queryRunner.query(`
      INSERT INTO promotion_stamps (user_id, stamp)
      SELECT user_id, nextval('promotion_stamp_seq')
      FROM (SELECT DISTINCT user_id FROM promotions WHERE user_id IS NOT NULL) AS holders`);
    await queryRunner.query(`
      CREATE FUNCTION promotion_stamps_renew() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM promotion_stamps;
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO promotion_stamps (user_id, stamp)
          SELECT user_id, nextval('promotion_stamp_seq')
          FROM (SELECT user_id FROM changed UNION SELECT user_id FROM replaced) AS holders
          WHERE user_id IS NOT NULL
          ON CONFLICT (user_id) DO UPDATE SET stamp = excluded.stamp;
        ELSE
          INSERT INTO promotion_stamps (user_id, stamp)
          SELECT user_id, nextval('promotion_stamp_seq')
          FROM (SELECT DISTINCT user_id FROM changed WHERE user_id IS NOT NULL) AS holders
          ON CONFLICT (user_id) DO UPDATE SET stamp = excluded.stamp;
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER promotions_stamp_insert AFTER INSERT ON promotions REFERENCING NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION promotion_stamps_renew()`);
    await queryRunner.query(`
      CREATE TRIGGER promotions_stamp_delete AFTER DELETE ON promotions REFERENCING OLD TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION promotion_stamps_renew()`);
    await queryRunner.query(`
      CREATE TRIGGER promotions_stamp_update AFTER UPDATE ON promotions
      REFERENCING OLD TABLE AS replaced NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION promotion_stamps_renew()`);
    await queryRunner.query(`
      CREATE TRIGGER promotions_stamp_truncate AFTER TRUNCATE ON promotions
      FOR EACH STATEMENT EXECUTE FUNCTION promotion_stamps_renew()`);
    await queryRunner.query(`CREATE INDEX promotions_no_user_idx ON promotions (info_hash) WHERE user_id IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX promotions_no_user_idx`);
    await queryRunner.query(`DROP TRIGGER promotions_stamp_truncate ON promotions`);
    await queryRunner.query(`DROP TRIGGER promotions_stamp_update ON promotions`);
    await queryRunner.query(`DROP TRIGGER promotions_stamp_delete ON promotions`);
    await queryRunner.query(`DROP TRIGGER promotions_stamp_insert ON promotions`);
    await queryRunner.query(`DROP FUNCTION promotion_stamps_renew()`);
    await queryRunner.query(`DROP TABLE promotion_stamps`);
    await queryRunner.query(`DROP SEQUENCE promotion_stamp_seq`);
  }
}
