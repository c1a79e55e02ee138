import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Download slots (issue 15): the most torrents a user may leech at once; null, the default, is no limit. */
export class DownloadSlots1765300000000 implements MigrationInterface {
  name = 'DownloadSlots1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE users ADD COLUMN download_slots integer NULL CONSTRAINT users_download_slots_check CHECK (download_slots >= 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users DROP COLUMN download_slots`);
  }
}
