import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change feed records, per flushed batch, the (user, torrent) keys it wrote, in the batch's change_batches row,
 * instead of stamping a change_seq on every users and history row. The stamps changed an indexed column on every
 * flushed row, which cost the flush its HOT updates (ChangeFeed1764900000000 measured it). A batch row is one insert
 * per flush whatever its size.
 * `entries` counts the keys, so that a page can end on whole batches without reading their arrays.
 */
export class ChangeFeedByBatch1765400000000 implements MigrationInterface {
  name = 'ChangeFeedByBatch1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE change_batches
        ADD COLUMN user_ids integer[] NOT NULL DEFAULT '{}',
        ADD COLUMN info_hashes char(40)[] NOT NULL DEFAULT '{}',
        ADD COLUMN entries integer NOT NULL DEFAULT 0`);
    // A user's stamp is the latest batch that wrote one of its history rows, so the history stamps name every key.
    await queryRunner.query(`
      UPDATE change_batches b SET user_ids = k.user_ids, info_hashes = k.info_hashes, entries = k.entries
      FROM (SELECT change_seq, array_agg(user_id) AS user_ids, array_agg(info_hash) AS info_hashes,
                   count(*)::integer AS entries
            FROM history WHERE change_seq IS NOT NULL GROUP BY change_seq) k
      WHERE b.seq = k.change_seq`);
    await queryRunner.query(`DROP INDEX history_change_seq_idx`);
    await queryRunner.query(`DROP INDEX users_change_seq_idx`);
    await queryRunner.query(`ALTER TABLE history DROP COLUMN change_seq`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN change_seq`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN change_seq bigint`);
    await queryRunner.query(`ALTER TABLE history ADD COLUMN change_seq bigint`);
    await queryRunner.query(`
      UPDATE history h SET change_seq = k.seq
      FROM (SELECT DISTINCT ON (user_id, info_hash) user_id, info_hash, b.seq
            FROM change_batches b, unnest(b.user_ids, b.info_hashes) AS k(user_id, info_hash)
            ORDER BY user_id, info_hash, b.seq DESC) k
      WHERE h.user_id = k.user_id AND h.info_hash = k.info_hash`);
    await queryRunner.query(`
      UPDATE users u SET change_seq = k.seq
      FROM (SELECT user_id, max(change_seq) AS seq FROM history GROUP BY user_id) k WHERE u.id = k.user_id`);
    await queryRunner.query(`CREATE INDEX users_change_seq_idx ON users (change_seq)`);
    await queryRunner.query(`CREATE INDEX history_change_seq_idx ON history (change_seq)`);
    await queryRunner.query(
      `ALTER TABLE change_batches DROP COLUMN entries, DROP COLUMN info_hashes, DROP COLUMN user_ids`,
    );
  }
}
