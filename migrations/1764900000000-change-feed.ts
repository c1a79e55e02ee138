import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The site's change feed (GET /api/changes) and snatch list (GET /api/torrents/:infoHash/snatches).
 * Each flushed batch takes the next `change_seq` and stamps it on every users and history row it writes, so a row
 * changed twice carries only its latest number. `change_batches` records when each number was taken, for the
 * retention; `change_feed_horizon` the highest number pruned, below which a cursor answers 410.
 * The change_seq indexes cost the flush its HOT updates (an indexed column now changes each time): measured with
 * scripts/bench/flush-rate.js on the 2-core box, 39,600 -> 32,500 new history rows/s and 43,400 -> 31,300-32,600
 * updated rows/s, still several times what one instance announces.
 */
export class ChangeFeed1764900000000 implements MigrationInterface {
  name = 'ChangeFeed1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE change_seq AS bigint`);
    await queryRunner.query(`ALTER TABLE users ADD COLUMN change_seq bigint`);
    await queryRunner.query(`ALTER TABLE history ADD COLUMN change_seq bigint`);
    await queryRunner.query(`CREATE INDEX users_change_seq_idx ON users (change_seq)`);
    await queryRunner.query(`CREATE INDEX history_change_seq_idx ON history (change_seq)`);
    await queryRunner.query(`CREATE INDEX history_snatches_idx ON history (info_hash, user_id)`);
    await queryRunner.query(`
      CREATE TABLE change_batches (
        seq bigint PRIMARY KEY,
        taken_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE change_feed_horizon (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        pruned_through bigint NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO change_feed_horizon (pruned_through) VALUES (0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE change_feed_horizon`);
    await queryRunner.query(`DROP TABLE change_batches`);
    await queryRunner.query(`DROP INDEX history_snatches_idx`);
    await queryRunner.query(`DROP INDEX history_change_seq_idx`);
    await queryRunner.query(`DROP INDEX users_change_seq_idx`);
    await queryRunner.query(`ALTER TABLE history DROP COLUMN change_seq`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN change_seq`);
    await queryRunner.query(`DROP SEQUENCE change_seq`);
  }
}
