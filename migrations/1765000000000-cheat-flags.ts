import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheat signals (issue 15): the announce path records a flag with its evidence in the pending ledger, and the
 * accounting flush writes it here in the batch's own transaction, so a flag is written exactly once. The site reads
 * them in id order (GET /api/flags?after=<id>). `kind` is free text so that a module's own policy can add kinds.
 */
export class CheatFlags1765000000000 implements MigrationInterface {
  name = 'CheatFlags1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cheat_flags (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL,
        info_hash char(40) NOT NULL,
        kind text NOT NULL,
        evidence jsonb NOT NULL,
        announced_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX cheat_flags_user_id_idx ON cheat_flags (user_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cheat_flags`);
  }
}
