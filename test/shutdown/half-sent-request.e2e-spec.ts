import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { scanKeys } from 'src/peers/redis/redis-scan.util';
import { AdminClient } from 'test/support/admin-client';
import { announceUrl, peerId } from 'test/support/announce-url';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';
import { sleep } from 'test/support/wait-for';

/**
 * Issue 19.2: a client holding a half-sent request (a partial head on the tracker's own reader, or an admin POST whose
 * body never completes) must not keep SIGTERM from the final flush. The pending upload of 777 is not flushed before
 * the signal (FLUSH_INTERVAL_MS is long), so it reaches PostgreSQL only through the flush at shutdown.
 */

const ADMIN_TOKEN = 'shutdown-test-admin-token-0123456';
const REDIS_URL = 'redis://127.0.0.1:6379';
/** The contract's shutdown deadline: exceeding it exits with code 1. */
const SHUTDOWN_DEADLINE_MS = 10_000;

const trackers: TrackerProcess[] = [];
const databases: TempDatabase[] = [];
const prefixes: string[] = [];
const sockets: Socket[] = [];
const report: string[] = [];

afterAll(async () => {
  sockets.forEach((socket) => socket.destroy());
  await Promise.allSettled(trackers.map((tracker) => tracker.kill()));
  await Promise.allSettled(databases.map((database) => database.drop()));
  if (prefixes.length > 0) {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    for (const prefix of prefixes) {
      await scanKeys(redis, `${prefix}*`, async (keys) => {
        await redis.del(...keys);
      }).catch(() => undefined);
    }
    redis.disconnect();
  }
  if (report.length > 0) {
    console.log(`half-sent request at shutdown:\n${report.join('\n')}`);
  }
});

async function uploadedInPostgres(url: string, userId: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ uploaded: string }>('SELECT uploaded FROM users WHERE id = $1', [userId]);
    return Number(rows[0].uploaded);
  } finally {
    await client.end();
  }
}

/** Opens a connection, sends `bytes`, and keeps it open; resolves once the bytes are written. */
async function hold(port: number, bytes: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  return socket;
}

async function get(tracker: TrackerProcess, path: string): Promise<string> {
  const response = await fetch(`${tracker.baseUrl}${path}`);
  return Buffer.from(await response.arrayBuffer()).toString('latin1');
}

describe.each([
  ['memory', false],
  ['Redis', true],
])('SIGTERM with half-sent requests open, %s peer store', (store, useRedis) => {
  it.each([
    ['a partial head on the tracker reader', 'tracker'],
    ['an admin POST whose body never completes', 'admin'],
    ['both', 'both'],
  ])(
    'still flushes pending accounting and exits 0 well within the deadline: %s',
    async (_, held) => {
      const database = await createTempDatabase('shutdown');
      databases.push(database);
      const env: Record<string, string> = {
        ADMIN_TOKEN,
        DATABASE_URL: database.url,
        FLUSH_INTERVAL_MS: '600000',
      };
      if (useRedis) {
        const prefix = `shutdown:${randomBytes(6).toString('hex')}:`;
        prefixes.push(prefix);
        Object.assign(env, { REDIS_URL, REDIS_KEY_PREFIX: prefix });
      }
      const tracker = await startTracker(env);
      trackers.push(tracker);

      const admin = new AdminClient(tracker.baseUrl, ADMIN_TOKEN);
      const user = await admin.createUser({ id: 1 });
      const infoHash = randomBytes(20);
      await admin.createTorrent({ infoHash: infoHash.toString('hex') });
      const peer = { infoHash, peerId: peerId(), left: 0 };
      expect(await get(tracker, announceUrl(user.passkey, { ...peer, event: 'started' }))).toContain('8:interval');
      expect(await get(tracker, announceUrl(user.passkey, { ...peer, uploaded: 777 }))).toContain('8:interval');
      expect(await uploadedInPostgres(database.url, 1)).toBe(0);

      if (held !== 'admin') {
        await hold(tracker.port, `GET /${user.passkey}/announce?info_hash=`);
      }
      if (held !== 'tracker') {
        await hold(
          tracker.port,
          `POST /api/users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{',
        );
      }
      // Let the server read what was sent (a wait, not an assertion on time).
      await sleep(300);

      const started = Date.now();
      const code = await tracker.stop('SIGTERM');
      const ms = Date.now() - started;
      report.push(`${store}, ${held}: exit ${code} in ${ms} ms`);

      expect(code).toBe(0);
      expect(ms).toBeLessThan(SHUTDOWN_DEADLINE_MS);
      expect(await uploadedInPostgres(database.url, 1)).toBe(777);
    },
    60_000,
  );
});
