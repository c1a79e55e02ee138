'use strict';
// The site's API at community scale (issue 16): bulk upserts, list paging, the change feed, and announces beside a
// bulk upsert, against the built tracker on the local PostgreSQL (and Redis with --redis).
//
//   node scripts/bench/site-api.js [--users=100000] [--torrents=1000000] [--redis]
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { createDatabase, waitForOk, connectRedis, deleteRedisKeys } = require('./lib/fixtures');
const { freePort, startServer, killAll } = require('./lib/processes');
const { ROOT, ENTRY, NODE_FLAGS, ensureBuild } = require('./lib/setup');

const BULK = 10_000;
const PAGE = 1000;
const TOKEN = 'bench-site-api-token-0123456789';

function option(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split('=')[1]) : fallback;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(base, method, pathname, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${pathname}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode >= 300) {
            reject(new Error(`${method} ${pathname}: ${res.statusCode} ${text.slice(0, 300)}`));
          } else {
            resolve(text ? (pathname.includes('/announce') ? text : JSON.parse(text)) : undefined);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const hashOf = (n) => n.toString(16).padStart(40, '0');
const encode = (hex) => hex.replace(/../g, '%$&');

function announcePath(passkey, infoHash, userId, uploaded, event) {
  const peerId = `-qB4520-${String(userId).padStart(12, '0')}`;
  return (
    `/${passkey}/announce?info_hash=${encode(infoHash)}&peer_id=${peerId}&port=${10000 + (userId % 50000)}` +
    `&uploaded=${uploaded}&downloaded=0&left=0&compact=1${event ? `&event=${event}` : ''}`
  );
}

/** Runs `task` over `items` with `width` in flight; returns the seconds taken. */
async function timed(items, width, task) {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i], i);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const rate = (n, seconds) => `${Math.round(n / seconds).toLocaleString('en-US')}/s`;

async function bulk(base, route, key, total, make) {
  const chunks = [];
  for (let start = 0; start < total; start += BULK) {
    chunks.push(Array.from({ length: Math.min(BULK, total - start) }, (_, i) => make(start + i)));
  }
  let created = 0;
  let updated = 0;
  let failed = 0;
  // Two requests in flight, as a loading site would send them: one is parsed while the other is in PostgreSQL.
  const seconds = await timed(chunks, 2, async (chunk) => {
    const result = await request(base, 'PUT', route, { [key]: chunk });
    created += result.created;
    updated += result.updated;
    failed += result.failed.length;
  });
  return { seconds, created, updated, failed };
}

async function pageAll(base, route) {
  const items = [];
  let after;
  const started = process.hrtime.bigint();
  for (;;) {
    const page = await request(base, 'GET', `${route}?limit=${PAGE}${after ? `&after=${after}` : ''}`);
    items.push(...page.items);
    if (page.next === null) {
      break;
    }
    after = page.next;
  }
  return { items, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function readFeed(base, cursor) {
  const users = new Set();
  let history = 0;
  let pages = 0;
  const started = process.hrtime.bigint();
  for (;;) {
    const page = await request(base, 'GET', `/api/changes?after=${cursor}&limit=10000`);
    pages++;
    page.users.forEach((user) => users.add(user.id));
    history += page.history.length;
    if (page.next === cursor) {
      break;
    }
    cursor = page.next;
  }
  return { users, history, pages, cursor, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main() {
  const userCount = option('users', 100_000);
  const torrentCount = option('torrents', 1_000_000);
  const useRedis = process.argv.includes('--redis');
  ensureBuild({ build: !process.argv.includes('--no-build') });
  const database = await createDatabase('bench_site');
  const port = await freePort();
  const prefix = `bench-site:${randomBytes(4).toString('hex')}:`;
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: database.url,
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
    ...(useRedis
      ? { REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix }
      : {}),
  };
  const logFile = path.join(os.tmpdir(), `bench-site-api-${process.pid}.log`);
  const server = startServer('tracker', process.execPath, [...NODE_FLAGS, ENTRY], { env, cwd: ROOT, logFile });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${base}/health`, server, 60_000);
    console.log(`site API bench: ${userCount} users, ${torrentCount} torrents, ${useRedis ? 'redis' : 'memory'} store`);

    const users = await bulk(base, '/api/users', 'users', userCount, (i) => ({ id: i + 1 }));
    console.log(
      `PUT /api/users      ${users.created} created in ${users.seconds.toFixed(1)} s: ${rate(userCount, users.seconds)}`,
    );
    const again = await bulk(base, '/api/users', 'users', userCount, (i) => ({ id: i + 1, canLeech: true }));
    console.log(
      `PUT /api/users      ${again.updated} updated in ${again.seconds.toFixed(1)} s: ${rate(userCount, again.seconds)}`,
    );
    const torrents = await bulk(base, '/api/torrents', 'torrents', torrentCount, (i) => ({
      infoHash: hashOf(i + 1),
      id: i + 1,
    }));
    console.log(
      `PUT /api/torrents   ${torrents.created} created in ${torrents.seconds.toFixed(1)} s: ${rate(torrentCount, torrents.seconds)}`,
    );

    const userList = await pageAll(base, '/api/users');
    console.log(
      `GET /api/users      ${userList.items.length} in ${userList.seconds.toFixed(1)} s: ${rate(userList.items.length, userList.seconds)}`,
    );
    const torrentList = await pageAll(base, '/api/torrents');
    console.log(
      `GET /api/torrents   ${torrentList.items.length} in ${torrentList.seconds.toFixed(1)} s: ${rate(torrentList.items.length, torrentList.seconds)}`,
    );

    // A load that changes every user: a started announce, then one with 1,000 bytes uploaded.
    const cursor = (await request(base, 'GET', '/api/changes')).next;
    const accounts = userList.items.map((user) => ({
      id: user.id,
      passkey: user.passkey,
      infoHash: hashOf((user.id % torrentCount) + 1),
    }));
    const started = await timed(accounts, 64, (a) =>
      request(base, 'GET', announcePath(a.passkey, a.infoHash, a.id, 0, 'started')),
    );
    const credited = await timed(accounts, 64, (a) =>
      request(base, 'GET', announcePath(a.passkey, a.infoHash, a.id, 1000)),
    );
    const announces = 2 * accounts.length;
    console.log(
      `announces           ${announces} in ${(started + credited).toFixed(1)} s: ${rate(announces, started + credited)}`,
    );
    let feed;
    for (;;) {
      feed = await readFeed(base, cursor);
      if (feed.users.size >= accounts.length) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const read = await readFeed(base, cursor);
    console.log(
      `GET /api/changes    ${read.users.size} users + ${read.history} history rows in ${read.pages} pages, ` +
        `${read.seconds.toFixed(1)} s: ${rate(read.users.size + read.history, read.seconds)}`,
    );

    // Announce throughput alone, then beside a bulk upsert of 200,000 torrents.
    const sample = accounts.slice(0, 50_000);
    const alone = await timed(sample, 64, (a) => request(base, 'GET', announcePath(a.passkey, a.infoHash, a.id, 2000)));
    let beside = 0;
    let upsertSeconds = 0;
    await Promise.all([
      timed(sample, 64, (a) => request(base, 'GET', announcePath(a.passkey, a.infoHash, a.id, 3000))).then(
        (s) => (beside = s),
      ),
      bulk(base, '/api/torrents', 'torrents', Math.min(200_000, torrentCount), (i) => ({
        infoHash: hashOf(i + 1),
        freeleech: true,
      })).then((r) => (upsertSeconds = r.seconds)),
    ]);
    console.log(`announces alone     ${rate(sample.length, alone)}`);
    console.log(
      `announces beside    ${rate(sample.length, beside)} (while PUT /api/torrents updated ${Math.min(200_000, torrentCount)} in ${upsertSeconds.toFixed(1)} s)`,
    );
  } finally {
    await server.stop();
    await database.drop();
    if (useRedis) {
      const client = await connectRedis(env.REDIS_URL);
      if (client.client) {
        await deleteRedisKeys(client.client, prefix);
        client.client.disconnect();
      }
    }
  }
}

main().catch((error) => {
  console.error(error);
  killAll();
  process.exitCode = 1;
});
