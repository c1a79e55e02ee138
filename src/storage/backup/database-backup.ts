import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { Client } from 'pg';
import { APP_VERSION } from 'src/common/app-version';

const FORMAT = 'private-tracker-backup';
const FORMAT_VERSION = 1;
const MIGRATIONS_TABLE = 'migrations';
const BATCH_ROWS = 2000;
/** Tables whose rows the migrations insert: a fresh database holds them, and a restore replaces them. */
const SEEDED_BY_MIGRATIONS = new Set(['change_feed_horizon']);

interface Header {
  format: string;
  formatVersion: number;
  appVersion: string;
  createdAt: string;
  migrations: string[];
  /** Every sequence's last value (absent in older backups), so that numbers such as change_seq keep growing. */
  sequences?: Record<string, string | null>;
}

export interface BackupSummary {
  rows: Record<string, number>;
}

async function tables(client: Client): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> $1 ORDER BY 1`,
    [MIGRATIONS_TABLE],
  );
  return result.rows.map((row) => row.name);
}

async function sequences(client: Client): Promise<Record<string, string | null>> {
  const result = await client.query<{ name: string; value: string | null }>(
    `SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = current_schema()`,
  );
  return Object.fromEntries(result.rows.map((row) => [row.name, row.value]));
}

async function migrations(client: Client): Promise<string[]> {
  const result = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);
  return result.rows.map((row) => row.name);
}

/**
 * Every table of the tracker's schema, one consistent snapshot (REPEATABLE READ), into a gzipped file of JSON lines:
 * a header with the applied migrations, then per table a `{"table"}` line and one `row_to_json` line per row. Rows stay
 * PostgreSQL's own JSON text (never JavaScript numbers), so bigints and bytea round-trip exactly. It runs beside a
 * live tracker, and needs no pg_dump (the embedded server is newer than Debian's client tools).
 */
export async function backupDatabase(url: string, file: string): Promise<BackupSummary> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const out = new PassThrough();
  const written = pipeline(out, createGzip(), createWriteStream(file, { mode: 0o600 }));
  const rows: Record<string, number> = {};
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const header: Header = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      appVersion: APP_VERSION,
      createdAt: new Date().toISOString(),
      migrations: await migrations(client),
      sequences: await sequences(client),
    };
    out.write(`${JSON.stringify(header)}\n`);
    // In foreign-key order, so that a restore can insert each table as it reads it.
    for (const table of await insertOrder(client, await tables(client))) {
      out.write(`${JSON.stringify({ table })}\n`);
      rows[table] = 0;
      await client.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM "${table}" t`);
      for (;;) {
        const batch = await client.query<{ row: string }>(`FETCH ${BATCH_ROWS} FROM dump`);
        for (const { row } of batch.rows) {
          if (!out.write(`${row}\n`)) {
            await new Promise((drained) => out.once('drain', drained));
          }
        }
        rows[table] += batch.rows.length;
        if (batch.rows.length < BATCH_ROWS) {
          break;
        }
      }
      await client.query('CLOSE dump');
    }
    out.end(`${JSON.stringify({ end: true, rows })}\n`);
    await client.query('COMMIT');
    await written;
    return { rows };
  } catch (error) {
    out.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Tables in an order where every foreign key points at a table already restored. */
async function insertOrder(client: Client, names: string[]): Promise<string[]> {
  const result = await client.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid <> c.confrelid`,
  );
  const unquote = (name: string) => name.replace(/^"|"$/g, '');
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) {
      return;
    }
    path.add(name);
    for (const edge of result.rows.filter((row) => unquote(row.child) === name)) {
      visit(unquote(edge.parent), path);
    }
    ordered.push(name);
  };
  for (const name of names) {
    visit(name, new Set());
  }
  return ordered.filter((name) => names.includes(name));
}

async function insertRows(client: Client, table: string, rows: string[]): Promise<void> {
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO "${table}" OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(null::"${table}", $1::json)`,
      [`[${rows.join(',')}]`],
    );
  }
}

/**
 * Restores a backup into a migrated database whose tables are all empty (a fresh DATA_DIR, or a new PostgreSQL
 * database), in one transaction: all of it or nothing. The database must be at the backup's migrations.
 */
export async function restoreDatabase(url: string, file: string): Promise<BackupSummary> {
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist`);
  }
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  // Now, before any await: lines read before the iterator exists would be lost.
  const iterator = lines[Symbol.asyncIterator]();
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const first = await iterator.next();
    const header = (first.done ? {} : JSON.parse(first.value)) as Partial<Header>;
    if (header.format !== FORMAT || header.formatVersion !== FORMAT_VERSION) {
      throw new Error(`${file} is not a ${FORMAT} file of format version ${FORMAT_VERSION}`);
    }
    const applied = await migrations(client);
    if (JSON.stringify(applied) !== JSON.stringify(header.migrations)) {
      throw new Error(
        `${file} was taken at migrations [${header.migrations?.join(', ')}], the database is at [${applied.join(', ')}]:` +
          ` restore it with the tracker version that wrote it (${header.appVersion}), then upgrade`,
      );
    }
    const existing = await tables(client);
    for (const table of existing.filter((name) => !SEEDED_BY_MIGRATIONS.has(name))) {
      const count = await client.query(`SELECT 1 FROM "${table}" LIMIT 1`);
      if (count.rowCount) {
        throw new Error(`table ${table} is not empty: restore into a fresh DATA_DIR or an empty database`);
      }
    }

    await client.query('BEGIN');
    const rows: Record<string, number> = {};
    let table: string | undefined;
    let batch: string[] = [];
    const flush = async () => {
      await insertRows(client, table!, batch);
      rows[table!] += batch.length;
      batch = [];
    };
    let end: { rows: Record<string, number> } | undefined;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const line = next.value;
      if (line.startsWith('{"table":') || line.startsWith('{"end":')) {
        if (table) {
          await flush();
        }
        if (line.startsWith('{"end":')) {
          end = JSON.parse(line) as { rows: Record<string, number> };
          break;
        }
        table = (JSON.parse(line) as { table: string }).table;
        if (!existing.includes(table)) {
          throw new Error(`${file} holds table ${table}, which this database does not have`);
        }
        rows[table] = 0;
        if (SEEDED_BY_MIGRATIONS.has(table)) {
          await client.query(`DELETE FROM "${table}"`);
        }
      } else if (table && line) {
        batch.push(line);
        if (batch.length >= BATCH_ROWS) {
          await flush();
        }
      }
    }
    if (!end || Object.keys(end.rows).some((name) => end.rows[name] !== rows[name])) {
      throw new Error(
        `${file} is truncated or damaged: rows ${JSON.stringify(rows)}, expected ${JSON.stringify(end?.rows)}`,
      );
    }
    // Sequences behind serial/identity columns continue after the restored ids.
    await client.query(`
      SELECT setval(s.seq, coalesce(s.max_value, 0) + 1, false) FROM (
        SELECT pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) AS seq, c.table_name, c.column_name,
               (xpath('/row/m/text()', query_to_xml(format('SELECT max(%I) AS m FROM %I', c.column_name, c.table_name),
                 false, true, '')))[1]::text::bigint AS max_value
          FROM information_schema.columns c
         WHERE c.table_schema = current_schema()
           AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL) s`);
    // Standalone sequences (change_seq) continue from where the backup's were; is_called false when never used.
    for (const [name, value] of Object.entries(header.sequences ?? {})) {
      if (value !== null) {
        await client.query(
          `SELECT setval(quote_ident($1), greatest($2::bigint, (SELECT last_value FROM pg_sequences
          WHERE schemaname = current_schema() AND sequencename = $1)), true)`,
          [name, value],
        );
      }
    }
    await client.query('COMMIT');
    return { rows };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    lines.close();
    await client.end();
  }
}
