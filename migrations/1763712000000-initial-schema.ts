import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, torrents, per-user-per-torrent history and the client whitelist. */
export class InitialSchema1763712000000 implements MigrationInterface {
  name = 'InitialSchema1763712000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id integer PRIMARY KEY CHECK (id > 0),
        passkey char(32) NOT NULL UNIQUE,
        enabled boolean NOT NULL DEFAULT true,
        can_leech boolean NOT NULL DEFAULT true,
        upload_multiplier double precision NOT NULL DEFAULT 1 CHECK (upload_multiplier >= 0),
        download_multiplier double precision NOT NULL DEFAULT 1 CHECK (download_multiplier >= 0),
        uploaded bigint NOT NULL DEFAULT 0,
        downloaded bigint NOT NULL DEFAULT 0,
        raw_uploaded bigint NOT NULL DEFAULT 0,
        raw_downloaded bigint NOT NULL DEFAULT 0,
        last_ip text,
        last_active timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE torrents (
        info_hash char(40) PRIMARY KEY CHECK (info_hash ~ '^[0-9a-f]{40}$'),
        site_id integer,
        uploader_id integer,
        freeleech boolean NOT NULL DEFAULT false,
        upload_multiplier double precision NOT NULL DEFAULT 1 CHECK (upload_multiplier >= 0),
        download_multiplier double precision NOT NULL DEFAULT 1 CHECK (download_multiplier >= 0),
        completed integer NOT NULL DEFAULT 0,
        deleted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE history (
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        info_hash char(40) NOT NULL REFERENCES torrents (info_hash),
        uploaded bigint NOT NULL DEFAULT 0,
        downloaded bigint NOT NULL DEFAULT 0,
        raw_uploaded bigint NOT NULL DEFAULT 0,
        raw_downloaded bigint NOT NULL DEFAULT 0,
        seed_time_ms bigint NOT NULL DEFAULT 0,
        completed_at timestamptz,
        first_announce timestamptz NOT NULL,
        last_announce timestamptz NOT NULL,
        PRIMARY KEY (user_id, info_hash)
      )`);
    await queryRunner.query(`CREATE INDEX history_info_hash_idx ON history (info_hash)`);
    await queryRunner.query(`
      CREATE TABLE client_whitelist (
        prefix varchar(20) PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE client_whitelist`);
    await queryRunner.query(`DROP TABLE history`);
    await queryRunner.query(`DROP TABLE torrents`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
