import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A batch that PostgreSQL refuses for its data (not for an outage) is written account by account, and an account
 * refused alone is kept here for inspection instead of blocking every later batch. The account is JSON in a text
 * column: jsonb refuses the \u0000 escape, and whatever broke the account may hold one. `split` marks a batch being
 * written that way, so that a redelivery takes the same path and each account is applied once under its own id.
 */
export class QuarantinedAccounts1764800000000 implements MigrationInterface {
  name = 'QuarantinedAccounts1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE applied_batches ADD COLUMN split boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`
      CREATE TABLE quarantined_accounts (
        batch_id text NOT NULL,
        position integer NOT NULL,
        user_id integer NOT NULL,
        info_hash char(40) NOT NULL,
        account text NOT NULL,
        error text NOT NULL,
        quarantined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (batch_id, position)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE quarantined_accounts`);
    await queryRunner.query(`ALTER TABLE applied_batches DROP COLUMN split`);
  }
}
