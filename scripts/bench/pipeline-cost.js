'use strict';
// CPU per announce of the tracker's own pipeline, without sockets: the HTTP adapter's query decoding and bencoding
// around the core (lookup step, announce service) and the peer store (with the accounting flusher running beside
// them, as in the server), called in-process on the memory or Redis store, 64 announces at a time (--concurrent).
// What `npm run bench` measures on top of this is Fastify, Node's HTTP and the kernel's sockets. Peers as in the
// bench's default: 100,000 peers announcing again and again over 5,000 torrents and 50 users. Usage:
//   npm run build && node scripts/bench/pipeline-cost.js [announces=200000] [redis] [--promotions=N] [--slots=N]
//     [--checkout=<dir>] [--warmup=N] [--concurrent=N]
// (PostgreSQL at 127.0.0.1:5432 with trust auth, PG_ADMIN_URL overrides; for redis, REDIS_URL or 127.0.0.1:6379,
// under a random key prefix deleted afterwards; redis-server's own CPU is read from /proc when it runs here.)
// --promotions=N seeds N freeleech tokens and a site-wide event as `npm run bench -- --promotions=N` does
// (fixtures.seedPromotions). PostgreSQL's cost of the measured announces is printed too: its backends' CPU and
// pg_stat_statements' execution time for this database (reset before the measured run). LOOKUP_CACHE_TTL_MS in the
// environment reaches the tracker like FLUSH_INTERVAL_MS (a short TTL makes the lookup cache's reloads show).
// PIPELINE_PROFILE=file.cpuprofile writes a CPU profile of the measured run (lib/cpu-profile.js summarizes it).
// --checkout=<dir> runs that checkout's dist/ instead (79927e5's, whose entry was AnnounceRoutes, included), for an
// in-process A/B: run the two alternately, a few times each. --warmup=N announces before the measured ones (default
// half of them; 500000 lets nearly every one of the 100,000 peers join first, as the server bench's warm-up does),
// --concurrent=N announces in flight at a time (default 64; the server bench's calls carry about 14).
// --versus=<dir> runs that checkout's build beside this one in the same process, in alternating chunks of
// --chunk=N announces (default 2000), and compares their CPU chunk by chunk (compareInterleaved): the drift that
// makes separate runs differ by tens of percent falls on both alike.
require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fixtures = require('./lib/fixtures');
const { compareRounds, describeComparison } = require('./lib/paired-rounds');
const { cpuSample, cpuSecondsSince, threadRunSeconds } = require('./lib/processes');

const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const flagValue = (name) => flags.find((flag) => flag.startsWith(`--${name}=`))?.slice(name.length + 3);

const dist = path.resolve(flagValue('checkout') ?? path.join(__dirname, '../..'), 'dist/src');
const VERSUS_DIST = flagValue('versus') && path.resolve(flagValue('versus'), 'dist/src');

const ANNOUNCES = Number(positional[0] ?? 200_000);
const WARMUP = Number(flagValue('warmup') ?? ANNOUNCES / 2);
const PEERS = 100_000;
const CONCURRENT = Number(flagValue('concurrent') ?? 64);
const CHUNK = Number(flagValue('chunk') ?? 2000);
const STORE = positional[1] === 'redis' ? 'redis' : 'memory';
const PROMOTIONS = Number(
  /^--promotions=(\d+)$/.exec(flags.find((flag) => flag.startsWith('--promotions=')) ?? '')?.[1] ?? 0,
);
// --slots=N gives every user N download slots, as `npm run bench -- --rules` does (10,000: none is refused).
const SLOTS = /^--slots=(\d+)$/.exec(flags.find((flag) => flag.startsWith('--slots=')) ?? '')?.[1];
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-cost-'));
  const pool = fixtures.makePool(workDir, { torrents: 5000, users: 50 });
  const redisPid = STORE === 'redis' ? await redisServerPid() : null;
  const targets = [];
  try {
    targets.push(await startTarget(dist, pool));
    if (VERSUS_DIST) {
      targets.push(await startTarget(VERSUS_DIST, pool));
    }
    for (const target of targets) {
      await target.announce(WARMUP); // fills the swarms and the lookup cache, lets V8 optimize
    }
    if (targets.length === 2) {
      await compareInterleaved(targets, redisPid);
    } else {
      await measureAlone(targets[0], redisPid);
    }
  } finally {
    for (const target of targets) {
      await target.close();
    }
    fs.rmSync(workDir, { recursive: true });
  }
}

/** One build's tracker in this process, on a database and Redis key prefix of its own, with the pool registered. */
async function startTarget(distDir, pool) {
  const { createTrackerApp } = require(`${distDir}/bootstrap.js`);
  const database = await fixtures.createDatabase('pipeline');
  const redisPrefix = `pipeline:${randomBytes(4).toString('hex')}:`;
  const redisEnv = STORE === 'redis' ? { REDIS_URL, REDIS_KEY_PREFIX: redisPrefix } : {};
  const { app, listen } = await createTrackerApp({
    ...redisEnv,
    DATABASE_URL: database.url,
    ADMIN_TOKEN: 'pipeline-cost-token',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    ...trackerEnvFromProcess(),
  });
  const close = async () => {
    await app.close();
    await database.drop();
    if (STORE === 'redis') {
      const { client } = await fixtures.connectRedis(REDIS_URL);
      await fixtures.deleteRedisKeys(client, redisPrefix);
      client.disconnect();
    }
  };
  try {
    const url = await listen();
    await fixtures.registerPool(url, 'pipeline-cost-token', pool);
    if (SLOTS !== undefined) {
      await fixtures.setDownloadSlots(url, 'pipeline-cost-token', pool.accounts, Number(SLOTS));
    }
    if (PROMOTIONS > 0) {
      const seeded = await fixtures.seedPromotions(url, 'pipeline-cost-token', database.url, pool, PROMOTIONS);
      console.log(`seeded ${JSON.stringify(seeded)} and a site-wide event`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const adapter = entryOf(distDir).answererOf(app);
  const peers = peerPopulation(pool);
  return {
    label: path.relative(process.cwd(), distDir) || '.',
    database,
    close,
    /** Sends `count` announces, at most CONCURRENT at a time. */
    async announce(count) {
      for (let done = 0; done < count; done += CONCURRENT) {
        const batch = [];
        for (let i = 0; i < Math.min(CONCURRENT, count - done); i++) {
          batch.push(adapter.answer('announce', peers.next()));
        }
        await Promise.all(batch);
      }
    },
  };
}

/**
 * CPU seconds so far of node (all threads), of its main thread, and of redis-server (its main thread, where it runs
 * commands: its other threads only close files and free memory in the background): a sample for cpuSpent.
 */
function cpuNow(redisPid) {
  const usage = process.cpuUsage();
  return {
    node: (usage.user + usage.system) / 1e6,
    main: threadRunSeconds(process.pid),
    redis: redisPid ? threadRunSeconds(redisPid) : 0,
  };
}

function cpuSpent(before, after) {
  return { node: after.node - before.node, main: after.main - before.main, redis: after.redis - before.redis };
}

async function measureAlone(target, redisPid) {
  const { database } = target;
  const pgBefore = cpuSample(await fixtures.backendPids(database.name));
  await pgStatements.reset(database.name);
  const before = cpuNow(redisPid);
  const stopProfile = process.env.PIPELINE_PROFILE ? await startProfile() : null;
  const stopSampling = process.env.PIPELINE_ALLOCATIONS ? await startAllocationSampling() : null;
  await target.announce(ANNOUNCES);
  if (stopProfile) {
    await stopProfile(process.env.PIPELINE_PROFILE);
  }
  if (stopSampling) {
    printAllocations(await stopSampling(), ANNOUNCES, Number(process.env.PIPELINE_ALLOCATIONS) || 25);
  }
  const spent = cpuSpent(before, cpuNow(redisPid));
  const pg = cpuSecondsSince(pgBefore, cpuSample(await fixtures.backendPids(database.name)));
  const statements = await pgStatements.read(database.name);
  const perAnnounce = (seconds) => ((seconds * 1e6) / ANNOUNCES).toFixed(1);
  const redisPart = redisPid ? ` + ${perAnnounce(spent.redis)} µs of redis-server` : '';
  const promotionsPart = PROMOTIONS > 0 ? `, ${PROMOTIONS} tokens + a site-wide event` : '';
  console.log(
    `${perAnnounce(spent.node)} µs of node CPU (${perAnnounce(spent.main)} on the main thread)${redisPart} + ` +
      `${perAnnounce(pg)} µs of PostgreSQL backends per announce ` +
      `(${ANNOUNCES} announces, ${STORE} store${promotionsPart}, ${target.label})`,
  );
  if (statements === null) {
    console.log('pg_stat_statements is not loaded: no per-statement figures');
    return;
  }
  const execMs = statements.reduce((sum, row) => sum + row.ms, 0);
  console.log(`pg_stat_statements: ${((execMs * 1000) / ANNOUNCES).toFixed(1)} µs of execution per announce; top:`);
  // The top ones, and every one that reads promotions.
  for (const row of statements.filter((row, i) => i < 6 || /promotion/.test(row.query))) {
    console.log(`  ${row.calls} calls ${row.ms.toFixed(1)} ms  ${row.query.replace(/\s+/g, ' ').slice(0, 110)}`);
  }
}

/**
 * --versus: both builds in this process, their announces in alternating chunks of CHUNK (the order swapped every
 * other pair), so that the box's drift, which moves a whole run by tens of percent within minutes, falls on both
 * alike. Node's and redis-server's CPU of a chunk count for the build that ran it; PostgreSQL's is read per database
 * over the whole run. A build's timers (its flush) may fire in the other's chunk: FLUSH_INTERVAL_MS=600000 keeps
 * the flushes out, for the pipeline alone.
 */
async function compareInterleaved(targets, redisPid) {
  const pgBefore = await Promise.all(targets.map(async (t) => cpuSample(await fixtures.backendPids(t.database.name))));
  const totals = targets.map(() => ({ node: 0, main: 0, redis: 0, announces: 0 }));
  const perChunk = targets.map(() => ({ all: [], main: [], redis: [] }));
  for (let done = 0, pair = 0; done < ANNOUNCES; done += CHUNK, pair++) {
    const order = pair % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const before = cpuNow(redisPid);
      await targets[index].announce(CHUNK);
      const spent = cpuSpent(before, cpuNow(redisPid));
      const total = totals[index];
      total.node += spent.node;
      total.main += spent.main;
      total.redis += spent.redis;
      total.announces += CHUNK;
      // Announces per CPU second: higher is better, as compareRounds expects.
      perChunk[index].all.push(CHUNK / (spent.node + spent.redis));
      perChunk[index].main.push(CHUNK / spent.main);
      if (redisPid) {
        perChunk[index].redis.push(CHUNK / spent.redis);
      }
    }
  }
  const pg = await Promise.all(
    targets.map(async (t, i) => cpuSecondsSince(pgBefore[i], cpuSample(await fixtures.backendPids(t.database.name)))),
  );
  targets.forEach((target, i) => {
    const total = totals[i];
    const us = (seconds) => ((seconds * 1e6) / total.announces).toFixed(1);
    const redisPart = redisPid ? ` + ${us(total.redis)} µs of redis-server` : '';
    console.log(
      `${target.label}: ${us(total.node)} µs of node CPU (${us(total.main)} on the main thread)${redisPart} + ` +
        `${us(pg[i])} µs of PostgreSQL backends per announce (${total.announces} announces in chunks of ${CHUNK})`,
    );
  });
  const parts = [
    ['node and redis-server', 'all'],
    ["node's main thread", 'main'],
    ['redis-server', 'redis'],
  ];
  console.log(`${targets[0].label} vs ${targets[1].label}, announces per CPU second, chunk by chunk:`);
  for (const [name, key] of parts) {
    const verdict = compareRounds(perChunk[0][key], perChunk[1][key]);
    if (verdict) {
      console.log(`  ${name}: ${describeComparison(verdict)}`);
    }
  }
}

/**
 * What answers `answer('announce', request)` in that build: the HTTP adapter, or before the announce core (79927e5)
 * AnnounceRoutes, whose private `answer` took the same request.
 */
function entryOf(distDir) {
  const adapterFile = `${distDir}/announce/http/http-tracker.adapter.js`;
  if (fs.existsSync(adapterFile)) {
    const { HttpTrackerAdapter } = require(adapterFile);
    return { answererOf: (app) => app.get(HttpTrackerAdapter) };
  }
  const { AnnounceRoutes } = require(`${distDir}/announce/announce.routes.js`);
  return {
    answererOf: (app) => {
      const routes = app.get(AnnounceRoutes);
      return { answer: (action, request) => routes.answer(action, request) };
    },
  };
}

/** Settings of the tracker under test taken from this process's environment (FLUSH_INTERVAL_MS, CHEAT_POLICY…). */
function trackerEnvFromProcess() {
  const names = [
    'FLUSH_INTERVAL_MS',
    'ANNOUNCE_LOG_SIZE',
    'CHEAT_POLICY',
    'ANNOUNCE_PACING',
    'MAX_PEERS_PER_USER_TORRENT',
    'LOOKUP_CACHE_TTL_MS',
    'MIN_INTERVAL',
    'MAX_UPLOAD_RATE',
    'POLICY_MODES',
  ];
  return Object.fromEntries(
    names.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]),
  );
}

/** PIPELINE_PROFILE=file.cpuprofile: a V8 CPU profile of the measured run only (not the seeding and warm-up). */
async function startProfile() {
  const { Session } = require('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** Bytes between the heap profiler's samples: V8's default is 32 KB, too coarse for the ~15 KB of one announce. */
const ALLOCATION_SAMPLING_BYTES = 4096;

/**
 * PIPELINE_ALLOCATIONS=N: V8's sampling heap profiler over the measured run, counting objects that young and full
 * GCs collected too, so that it shows what each function allocates (what the GC's helper threads pay for), not only
 * what survives. Returns a function that stops it and answers the profile.
 */
async function startAllocationSampling() {
  const { Session } = require('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: ALLOCATION_SAMPLING_BYTES,
    includeObjectsCollectedByMajorGC: true,
    // PIPELINE_ALLOCATIONS_SURVIVING=1: leave out what young GCs collected, which leaves what lived long enough to be
    // promoted to the old generation (the scavenges' copying, and later full GCs).
    includeObjectsCollectedByMinorGC: !process.env.PIPELINE_ALLOCATIONS_SURVIVING,
  });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    return profile;
  };
}

/** The N functions that allocated the most (self), in bytes per announce, and the total. */
function printAllocations(profile, announces, top) {
  const byFunction = new Map();
  let total = 0;
  const visit = (node) => {
    const bytes = node.selfSize;
    if (bytes > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? ` ${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
      const label = `${functionName || '(anonymous)'}${where}`;
      byFunction.set(label, (byFunction.get(label) ?? 0) + bytes);
      total += bytes;
    }
    node.children.forEach(visit);
  };
  visit(profile.head);
  console.log(
    `allocated (sampled every ${ALLOCATION_SAMPLING_BYTES} bytes): ${(total / announces).toFixed(0)} bytes per announce; top:`,
  );
  for (const [label, bytes] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${(bytes / announces).toFixed(0).padStart(6)}  ${label}`);
  }
}

/**
 * pg_stat_statements of one database, from the admin database; null when the extension is not loaded
 * (shared_preload_libraries), which only leaves its lines out.
 */
const pgStatements = {
  available: true,
  async reset(database) {
    try {
      await onAdmin((client) =>
        client.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = $1), 0)', [
          database,
        ]),
      );
    } catch (error) {
      if (error.code !== '42883' && error.code !== '42P01' && error.code !== '55000') {
        throw error;
      }
      this.available = false;
    }
  },
  async read(database) {
    if (!this.available) {
      return null;
    }
    const { rows } = await onAdmin((client) =>
      client.query(
        `SELECT calls::float8 AS calls, total_exec_time AS ms, query FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) ORDER BY total_exec_time DESC`,
        [database],
      ),
    );
    return rows;
  },
};

async function onAdmin(use) {
  const { Client } = require('pg');
  const client = new Client({
    connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The pid of the redis-server at REDIS_URL when it runs on this machine (its /proc entry exists), else null. */
async function redisServerPid() {
  const { client } = await fixtures.connectRedis(REDIS_URL);
  try {
    const pid = Number((await fixtures.redisInfo(client, 'server')).process_id);
    return fs.existsSync(`/proc/${pid}/stat`) ? pid : null;
  } finally {
    client.disconnect();
  }
}

/** Fake Fastify requests of the bench's peer population, with growing totals and 10% `started`. */
function peerPopulation(pool) {
  const hashes = pool.infoHashes.map((hex) => hex.replace(/../g, (byte) => `%${byte.toUpperCase()}`));
  const passkeys = pool.accounts.map((account) => account.passkey);
  const uploaded = new Float64Array(PEERS);
  const downloaded = new Float64Array(PEERS);
  return {
    next() {
      const g = Math.floor(Math.random() * PEERS);
      uploaded[g] += Math.floor(Math.random() * 4e6);
      downloaded[g] += Math.floor(Math.random() * 4e6);
      const passkey = passkeys[g % passkeys.length];
      const url =
        `/${passkey}/announce?info_hash=${hashes[Math.floor(g / passkeys.length) % hashes.length]}` +
        `&peer_id=-qB4650-${String(g).padStart(12, '0')}&port=${1024 + (g % 60000)}` +
        `&uploaded=${uploaded[g]}&downloaded=${downloaded[g]}&left=${g % 4 ? 1_000_000 : 0}` +
        `&corrupt=0&key=ABCD&numwant=50&compact=1&no_peer_id=1${Math.random() < 0.1 ? '&event=started' : ''}`;
      return { url, passkey, ip: '127.0.0.1', userAgent: 'qBittorrent/4.6.5', startedAt: performance.now() };
    },
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
