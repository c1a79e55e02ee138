import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The client block list (issue 13): peer_id prefixes, each optionally limited to a version range, refused at
 * announce. A bound of '' is no bound, so the unique key also covers entries without a range.
 */
export class ClientBlocklist1765100000000 implements MigrationInterface {
  name = 'ClientBlocklist1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE client_blocklist (
        id serial PRIMARY KEY,
        prefix varchar(20) NOT NULL,
        version_from varchar(11) NOT NULL DEFAULT '',
        version_below varchar(11) NOT NULL DEFAULT '',
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT client_blocklist_rule_key UNIQUE (prefix, version_from, version_below)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE client_blocklist`);
  }
}
