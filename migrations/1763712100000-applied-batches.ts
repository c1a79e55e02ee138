import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Ids of accounting batches already written, so that a batch delivered twice is applied once. */
export class AppliedBatches1763712100000 implements MigrationInterface {
  name = 'AppliedBatches1763712100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE applied_batches (
        id text PRIMARY KEY,
        accounts integer NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX applied_batches_applied_at_idx ON applied_batches (applied_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE applied_batches`);
  }
}
