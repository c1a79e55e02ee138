'use strict';
// What the tracker needs before it can be loaded: a database, registered users and torrents, the pool files
// announce.lua reads, and, for the Redis store, a key prefix to clean up afterwards.
const { randomBytes, randomInt } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random users (site id + our own passkey) and info hashes, written one a line for announce.lua. */
function makePool(dir, { torrents, users }) {
  const infoHashes = Array.from({ length: torrents }, () => randomBytes(20).toString('hex'));
  const accounts = Array.from({ length: users }, (_, index) => ({
    id: index + 1,
    passkey: Array.from({ length: 32 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join(''),
  }));
  const torrentsFile = path.join(dir, 'torrents.txt');
  const passkeysFile = path.join(dir, 'passkeys.txt');
  fs.writeFileSync(torrentsFile, infoHashes.join('\n') + '\n');
  fs.writeFileSync(passkeysFile, accounts.map((account) => account.passkey).join('\n') + '\n');
  return { infoHashes, accounts, torrentsFile, passkeysFile };
}

/** A fresh database `<prefix>_<random>` on the local PostgreSQL (PG_ADMIN_URL overrides where that is). */
async function createDatabase(prefix) {
  const { Client } = require('pg');
  const onAdmin = async (sql) => {
    const client = new Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await onAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => onAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Process ids of the PostgreSQL backends connected to `database` (the tracker's pool), for their CPU time. */
async function backendPids(database) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

function adminUrl() {
  return process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Registers every user and torrent of the pool through the admin API, a few requests at a time. */
async function registerPool(baseUrl, adminToken, pool) {
  const post = async (route, body) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) {
      throw new Error(`POST ${route} ${JSON.stringify(body)} answered ${response.status}: ${await response.text()}`);
    }
  };
  await inParallel(pool.accounts, 8, (account) => post('/api/users', account));
  await inParallel(pool.infoHashes, 16, (infoHash) => post('/api/torrents', { infoHash }));
}

/** Gives these accounts of the pool a downloadSlots limit (PATCH /api/users/:id). */
async function setDownloadSlots(baseUrl, adminToken, accounts, downloadSlots) {
  await inParallel(accounts, 8, async (account) => {
    const response = await fetch(`${baseUrl}/api/users/${account.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ downloadSlots }),
    });
    if (response.status !== 200) {
      throw new Error(`PATCH /api/users/${account.id} answered ${response.status}: ${await response.text()}`);
    }
  });
}

/** Freeleech tokens each holder gets from seedPromotions: a community's shape (issue 14: 100k users × 20). */
const TOKENS_PER_HOLDER = 20;
const CHUNK = 50_000;

/**
 * `--promotions=N`: N active freeleech tokens, 20 per user, so ceil(N / 20) users hold them: the pool's users first
 * (the ones that announce), then users added here that never announce. Holder k's tokens are on pool torrents
 * k … k + 9, which the announcing users (the first holders) announce on (announce.lua's peer g announces torrent
 * (g div users) mod torrents: the low ones first), and k + T/2 … k + T/2 + 9, which they do not; every pool torrent
 * carries some hundred tokens. No torrent is added: the catalogue is the same as in the run without promotions
 * (the flush's cost grows with it). Users and tokens are written with direct SQL in chunks, then a site-wide event
 * (double upload, half download) through the admin API. Tokens end in a week, so all are active. Returns what was
 * created.
 */
async function seedPromotions(baseUrl, adminToken, databaseUrl, pool, tokens) {
  const { Client } = require('pg');
  const holders = Math.ceil(tokens / TOKENS_PER_HOLDER);
  const extraUsers = Math.max(0, holders - pool.accounts.length);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let written = 0;
  try {
    // Site ids after the pool's; passkeys that no announce uses (32 hex characters).
    const firstExtraId = pool.accounts.length + 1;
    for (let i = 0; i < extraUsers; i += CHUNK) {
      await client.query(
        `INSERT INTO users (id, passkey) SELECT g, md5('bench holder ' || g) FROM generate_series($1::integer, $2) g`,
        [firstExtraId + i, firstExtraId + Math.min(extraUsers, i + CHUNK) - 1],
      );
    }
    const endsAt = new Date(Date.now() + 7 * 86_400_000);
    const users = [];
    const infoHashes = [];
    const flush = async () => {
      await client.query(
        `INSERT INTO promotions (user_id, info_hash, download_factor, ends_at, reason)
         SELECT u, h, 0, $3, 'bench token' FROM unnest($1::integer[], $2::char(40)[]) AS t(u, h)`,
        [users, infoHashes, endsAt],
      );
      written += users.length;
      users.length = 0;
      infoHashes.length = 0;
    };
    for (let k = 0; k < holders; k++) {
      const userId = k < pool.accounts.length ? pool.accounts[k].id : firstExtraId + k - pool.accounts.length;
      for (let j = 0; j < TOKENS_PER_HOLDER && written + users.length < tokens; j++) {
        users.push(userId);
        // Distinct torrents per holder (the pool has at least 20): 10 consecutive ones, and 10 half the pool away.
        const torrents = pool.infoHashes.length;
        const half = j < TOKENS_PER_HOLDER / 2 ? 0 : Math.floor(torrents / 2) - TOKENS_PER_HOLDER / 2;
        infoHashes.push(pool.infoHashes[(k + j + half) % torrents]);
        if (users.length === CHUNK) {
          await flush();
        }
      }
    }
    if (users.length > 0) {
      await flush();
    }
    // Vacuumed with fresh statistics, as a site's tables are: otherwise the planner takes them for small ones, and
    // autovacuum works through the million new rows during the measured run, on the +promotions row's account.
    await client.query('VACUUM (ANALYZE) users, torrents, promotions');
  } finally {
    await client.end();
  }
  const response = await fetch(`${baseUrl}/api/promotions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ uploadFactor: 2, downloadFactor: 0.5, reason: 'bench site-wide event' }),
  });
  if (response.status !== 201) {
    throw new Error(`POST /api/promotions answered ${response.status}: ${await response.text()}`);
  }
  return { tokens: written, holders, perHolder: TOKENS_PER_HOLDER, extraUsers };
}

/**
 * `count` client block-list entries (--client-rules) that block none of announce.lua's peers (`-qB4650-`, User-Agent
 * qBittorrent/4.6.5): half are `-qB` version ranges below 4.0, so every announce is compared with them (the worst
 * case: one prefix holding them all), half other clients' prefixes.
 */
async function registerBlockList(baseUrl, adminToken, count) {
  const entries = Array.from({ length: count }, (_, i) => {
    const n = Math.floor(i / 2);
    return i % 2 === 0
      ? {
          prefix: '-qB',
          versionFrom: `${Math.floor(n / 35) % 4}.${n % 35}`,
          versionBelow: `${Math.floor(n / 35) % 4}.${(n % 35) + 1}`,
          reason: 'bench',
        }
      : { prefix: `-Z${n.toString(36).padStart(2, '0')}`, reason: 'bench' };
  });
  await inParallel(entries, 8, async (entry) => {
    const response = await fetch(`${baseUrl}/api/blocked-clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(entry),
    });
    if (response.status !== 201) {
      throw new Error(
        `POST /api/blocked-clients ${JSON.stringify(entry)} answered ${response.status}: ${await response.text()}`,
      );
    }
  });
}

async function inParallel(items, width, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await task(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/**
 * One announce built the way announce.lua builds them, so that a store that refuses them is reported with its
 * reason before wrk floods it. Resolves with the status and body (latin1).
 */
function probeAnnounce(baseUrl, pool) {
  const percent = (bytes) => [...bytes].map((byte) => '%' + byte.toString(16).toUpperCase().padStart(2, '0')).join('');
  const infoHash = Buffer.from(pool.infoHashes[0], 'hex');
  const peerId = Buffer.concat([Buffer.from('-qB4650-'), randomBytes(12)]);
  const query =
    `info_hash=${percent(infoHash)}&peer_id=${percent(peerId)}&port=${randomInt(1024, 65536)}` +
    '&uploaded=0&downloaded=0&left=1000&event=started&numwant=50&compact=1&no_peer_id=1';
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}/${pool.accounts[0].passkey}/announce?${query}`, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('latin1') }),
      );
    });
    request.setTimeout(5_000, () => request.destroy(new Error('probe announce timed out')));
    request.on('error', reject);
  });
}

/** Polls `url` until it answers 200, or the server exits, or `timeoutMs` passes. */
async function waitForOk(url, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!server.running) {
      throw new Error(`${server.name} exited (${await server.exited}) before it answered:\n${server.logTail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        return;
      }
      last = `HTTP ${response.status} ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.name} did not answer ${url} within ${timeoutMs} ms (${last}):\n${server.logTail()}`);
}

/** A client for the local Redis, or null (with the reason) when it does not answer. */
async function connectRedis(url) {
  const Redis = require('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return { client };
  } catch (error) {
    client.disconnect();
    return { client: null, reason: error.message };
  }
}

/** `INFO` fields as numbers where they are numeric. */
async function redisInfo(client, section) {
  const info = {};
  for (const line of (await client.info(section)).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const value = line.slice(colon + 1);
      info[line.slice(0, colon)] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    }
  }
  return info;
}

/** Calls and microseconds per command from `INFO commandstats` (cumulative since Redis started). */
async function redisCommandStats(client) {
  const stats = new Map();
  for (const [key, value] of Object.entries(await redisInfo(client, 'commandstats'))) {
    const match = /calls=(\d+),usec=(\d+)/.exec(String(value));
    if (key.startsWith('cmdstat_') && match) {
      stats.set(key.slice('cmdstat_'.length), { calls: Number(match[1]), usec: Number(match[2]) });
    }
  }
  return stats;
}

/** SCAN + UNLINK every key under `prefix`; resolves with how many were deleted. */
async function deleteRedisKeys(client, prefix) {
  let deleted = 0;
  let cursor = '0';
  do {
    const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) {
      deleted += await client.unlink(...keys);
    }
  } while (cursor !== '0');
  return deleted;
}

module.exports = {
  makePool,
  createDatabase,
  backendPids,
  registerPool,
  registerBlockList,
  setDownloadSlots,
  seedPromotions,
  probeAnnounce,
  waitForOk,
  connectRedis,
  redisInfo,
  redisCommandStats,
  deleteRedisKeys,
};
