import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The test PostgreSQL server (trust auth for `postgres` on 127.0.0.1); PG_ADMIN_URL overrides it. */
const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TempDatabase {
  name: string;
  /** `postgres://…/<name>`, for DATABASE_URL. */
  url: string;
  /** Drops the database, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

async function onAdminDatabase(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database named `<prefix>_<random>`, so that parallel or aborted runs never share state. */
export async function createTempDatabase(prefix = 'e2e'): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onAdminDatabase(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => onAdminDatabase(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
