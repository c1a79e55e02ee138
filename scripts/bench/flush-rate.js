// Flush throughput: accounted (user, torrent) rows per second written by LedgerRepository into PostgreSQL,
// in batches of the flusher's size, first as new history rows (inserts) and then onto existing rows (upserts), with
// the Node CPU per row (the rest is PostgreSQL's).
// Usage: npm run build && node scripts/bench/flush-rate.js [rows=100000]   (PostgreSQL on 127.0.0.1:5432, trust auth)
require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const { Client } = require('pg');
const { DataSource } = require('typeorm');

const dist = path.resolve(__dirname, '../../dist/src');
const { dataSourceOptions } = require(`${dist}/storage/data-source-options.js`);
const { runMigrationsLocked } = require(`${dist}/storage/migration-runner.js`);
const { LedgerRepository } = require(`${dist}/storage/repositories/ledger.repository.js`);

const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOTAL_ROWS = Number(process.argv[2] ?? 100_000);
const BATCH = 1000; // the flusher's BATCH_ACCOUNTS
const USERS = 20_000;
const TORRENTS = 5_000;

async function admin(sql) {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function makeBatches(round) {
  // Distinct (user, torrent) pairs, the same pairs in every round so that round 2 updates existing rows.
  const batches = [];
  const now = Date.now();
  for (let start = 0; start < TOTAL_ROWS; start += BATCH) {
    const accounts = [];
    for (let i = start; i < Math.min(start + BATCH, TOTAL_ROWS); i++) {
      accounts.push({
        userId: (i % USERS) + 1,
        infoHash: torrentHash(Math.floor(i / USERS) % TORRENTS),
        uploaded: 1000 + i,
        downloaded: 500,
        rawUploaded: 1000 + i,
        rawDownloaded: 500,
        seedTime: 60_000,
        completedAt: round === 1 && i % 10 === 0 ? now : null,
        firstAnnounce: now,
        lastAnnounce: now + round,
        lastIp: '10.0.0.1',
      });
    }
    batches.push({ id: `bench-${round}-${start}-${randomBytes(4).toString('hex')}`, accounts });
  }
  return batches;
}

function torrentHash(index) {
  return index.toString(16).padStart(40, '0');
}

async function main() {
  const name = `bench_flush_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataSource = new DataSource(dataSourceOptions(url.toString()));
  try {
    await dataSource.initialize();
    await runMigrationsLocked(dataSource);
    await dataSource.query(
      `INSERT INTO users (id, passkey) SELECT g, lpad(g::text, 32, 'x') FROM generate_series(1, $1) g`,
      [USERS],
    );
    await dataSource.query(
      `INSERT INTO torrents (info_hash) SELECT lpad(to_hex(g), 40, '0') FROM generate_series(0, $1 - 1) g`,
      [TORRENTS],
    );
    const ledger = new LedgerRepository(dataSource);
    for (const [round, label] of [
      [1, 'new rows (insert)'],
      [2, 'existing rows (update)'],
    ]) {
      const batches = makeBatches(round);
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      for (const batch of batches) {
        await ledger.apply(batch);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const { user, system } = process.cpuUsage(cpu);
      console.log(
        `${label.padEnd(24)} ${TOTAL_ROWS} rows in ${batches.length} batches of ${BATCH}: ${seconds.toFixed(2)} s, ` +
          `${Math.round(TOTAL_ROWS / seconds).toLocaleString('en')} rows/s, ` +
          `Node ${((user + system) / TOTAL_ROWS).toFixed(1)} µs CPU a row`,
      );
    }
    const [{ sum }] = await dataSource.query(`SELECT sum(raw_uploaded)::text AS sum FROM history`);
    console.log(`check: history raw_uploaded sum = ${sum}`);
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
