import { randomBytes } from 'node:crypto';
import { type Cluster, Redis } from 'ioredis';
import { Client } from 'pg';
import { RedisKeys } from 'src/peers/redis/redis-keys';
import { scanKeys } from 'src/peers/redis/redis-scan.util';
import { AdminClient } from 'test/support/admin-client';
import {
  AnnounceLoad,
  creditProblems,
  expectedSums,
  registerFixture,
  type CreditedTotals,
  type LoadFixture,
} from 'test/support/announce-load';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { startScratchPostgres, type ScratchPostgres } from 'test/support/scratch-postgres';
import { stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';
import { sleep, waitFor } from 'test/support/wait-for';

/**
 * The loss tests of issue 4 (CONTRACT §4: "applied exactly once: none lost on graceful shutdown, none applied
 * twice"): announce load from many peers against the compiled tracker, then SIGTERM, SIGKILL or a PostgreSQL outage
 * in the middle, and the users' totals in PostgreSQL checked against what the tracker acknowledged
 * (test/support/announce-load.ts explains the bounds): never below the acked totals, never above acked plus the
 * announces that got no answer; after SIGTERM exactly the acked totals (a graceful shutdown answers what it
 * handles); and exactly the acked totals whenever every peer ended on an acked announce.
 */

const ADMIN_TOKEN = 'loss-test-admin-token-0123456789';
const REDIS_URL = 'redis://127.0.0.1:6379';
const USERS = 20;
const TORRENTS = 20;
const CONCURRENCY = 16;
/** The contract's shutdown deadline, and a little for the process to be reaped. */
const SHUTDOWN_BOUND_MS = 10_500;

const trackers: TrackerProcess[] = [];
const databases: TempDatabase[] = [];
const prefixes: string[] = [];
const loads: AnnounceLoad[] = [];
let scratch: ScratchPostgres | null = null;
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
/** Clients of the test cluster; its keys go with it when it stops. */
const clusterClients: Cluster[] = [];
/** What each case measured, printed at the end for the note. */
const report: string[] = [];

afterAll(async () => {
  const attempts: Promise<unknown>[] = [];
  for (const load of loads) {
    attempts.push(load.stop());
  }
  await Promise.allSettled(attempts);
  await Promise.allSettled(trackers.map((tracker) => tracker.kill()));
  await Promise.allSettled(databases.map((database) => database.drop()));
  if (scratch) {
    await scratch.remove().catch(() => undefined);
  }
  for (const prefix of prefixes) {
    await scanKeys(redis, `${prefix}*`, async (keys) => {
      await redis.del(...keys);
    }).catch(() => undefined);
  }
  redis.disconnect();
  clusterClients.forEach((client) => client.disconnect());
  await stopTestCluster();
  if (report.length > 0) {
    console.log(`loss tests:\n${report.join('\n')}`);
  }
});

async function launch(env: Record<string, string>): Promise<TrackerProcess> {
  const tracker = await startTracker({ ADMIN_TOKEN, LOG_LEVEL: 'info', ...env }, { stopTimeoutMs: 15_000 });
  trackers.push(tracker);
  return tracker;
}

async function tempDatabase(prefix: string): Promise<TempDatabase> {
  const database = await createTempDatabase(prefix);
  databases.push(database);
  return database;
}

function redisPrefix(): string {
  const prefix = `loss:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

async function prepareLoad(tracker: TrackerProcess): Promise<{ fixture: LoadFixture; load: AnnounceLoad }> {
  const fixture = await registerFixture(new AdminClient(tracker.baseUrl, ADMIN_TOKEN), {
    users: USERS,
    torrents: TORRENTS,
    firstUserUploadMultiplier: 2,
  });
  const load = new AnnounceLoad(fixture.peers, tracker.baseUrl, { concurrency: CONCURRENCY });
  loads.push(load);
  await load.baseline();
  return { fixture, load };
}

/** SIGTERM (or SIGINT), then the exit code and how long the graceful shutdown took. */
async function terminate(tracker: TrackerProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const code = await tracker.stop('SIGTERM');
  return { code, ms: Date.now() - started };
}

/** Users' credited and raw totals, straight from PostgreSQL. */
async function readUsers(url: string): Promise<Map<number, CreditedTotals>> {
  return withDatabase(url, async (client) => {
    const { rows } = await client.query<Record<string, string>>(
      'SELECT id, uploaded, downloaded, raw_uploaded, raw_downloaded FROM users',
    );
    return new Map(
      rows.map((row) => [
        Number(row.id),
        {
          uploaded: Number(row.uploaded),
          downloaded: Number(row.downloaded),
          rawUploaded: Number(row.raw_uploaded),
          rawDownloaded: Number(row.raw_downloaded),
        },
      ]),
    );
  });
}

/** Users whose totals differ from the sum of their history rows (both are written by the same statement). */
async function historyMismatches(url: string): Promise<string[]> {
  return withDatabase(url, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `SELECT u.id FROM users u
       LEFT JOIN (SELECT user_id, sum(uploaded) AS up, sum(downloaded) AS down,
                         sum(raw_uploaded) AS raw_up, sum(raw_downloaded) AS raw_down
                  FROM history GROUP BY user_id) h ON h.user_id = u.id
       WHERE u.uploaded <> coalesce(h.up, 0) OR u.downloaded <> coalesce(h.down, 0)
          OR u.raw_uploaded <> coalesce(h.raw_up, 0) OR u.raw_downloaded <> coalesce(h.raw_down, 0)`,
    );
    return rows.map((row) => `user ${row.id}: totals differ from the sum of its history`);
  });
}

async function withDatabase<T>(url: string, task: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

function rawSums(users: Map<number, CreditedTotals>): { uploaded: number; downloaded: number } {
  let uploaded = 0;
  let downloaded = 0;
  for (const user of users.values()) {
    uploaded += user.rawUploaded;
    downloaded += user.rawDownloaded;
  }
  return { uploaded, downloaded };
}

/** Every problem with the database's totals against what the load saw acknowledged (none: exact). */
async function auditCredits(url: string, load: AnnounceLoad): Promise<string[]> {
  return [...creditProblems(await readUsers(url), load.expectations()), ...(await historyMismatches(url))];
}

/**
 * Upload credited beyond what was acked, and the most the unknown announces could add: how many of the announces
 * that got no answer had been applied anyway.
 */
async function unknownApplied(url: string, load: AnnounceLoad): Promise<string> {
  const sums = expectedSums(load.expectations());
  const credited = rawSums(await readUsers(url)).uploaded;
  return `${credited - sums.min.uploaded} of at most ${sums.max.uploaded - sums.min.uploaded} unknown upload bytes applied`;
}

/**
 * A graceful shutdown finishes the requests it started, so an announce that got no answer was never handled: the
 * credited totals are exactly the acked ones, with no unknown announce counted.
 */
async function expectUnansweredNotApplied(url: string, load: AnnounceLoad): Promise<void> {
  const { min } = expectedSums(load.expectations());
  expect(rawSums(await readUsers(url))).toEqual(min);
}

/** Pending accounting still in Redis: swarm ledgers, claimed batch parts, registered batches. */
async function redisPending(
  prefix: string,
  client: Redis | Cluster = redis,
): Promise<{ ledgers: number; parts: number; batches: number }> {
  const keys = new RedisKeys(prefix);
  let ledgers = 0;
  let parts = 0;
  await scanKeys(client, keys.ledgerPattern, (found) => {
    ledgers += found.length;
    return Promise.resolve();
  });
  await scanKeys(client, `${keys.everything.slice(0, -1)}{*}:b:*`, (found) => {
    parts += found.length;
    return Promise.resolve();
  });
  const batches = await client.zcard(keys.batches);
  return { ledgers, parts, batches };
}

const isEmpty = (pending: { ledgers: number; parts: number; batches: number }) =>
  pending.ledgers + pending.parts + pending.batches === 0;

function describeLoad(load: AnnounceLoad): string {
  const c = load.counts;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  return (
    `${c.acked} acked, ${c.unknown} unknown, ${c.closing} refused with 503 while closing, ${c.refused} refused ` +
    `connections, ${c.failed} failed; acked deltas ${mib(load.ackedBytes.uploaded)} up / ` +
    `${mib(load.ackedBytes.downloaded)} down`
  );
}

/** Runs a case; on failure, the trackers' logs go with the error. */
async function withTrackerLogs(started: TrackerProcess[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const logs = started.map((tracker, i) => `--- tracker ${i} (pid ${tracker.pid}):\n${tracker.logs().slice(-6000)}`);
    (error as Error).message += `\n${logs.join('\n')}`;
    throw error;
  }
}

describe('no acknowledged byte is lost or doubled (issue 4)', () => {
  beforeAll(async () => {
    await redis.connect();
  });

  it('SIGTERM during load, memory peer store', async () => {
    const database = await tempDatabase('loss_mem');
    const tracker = await launch({ DATABASE_URL: database.url, FLUSH_INTERVAL_MS: '1000' });
    await withTrackerLogs([tracker], async () => {
      const { load } = await prepareLoad(tracker);
      load.start();
      await sleep(3_000);
      const inFlight = load.inFlight;
      const ackedBefore = load.counts.acked;
      const { code, ms } = await terminate(tracker);
      const answeredAfterSignal = load.counts.acked - ackedBefore;
      await load.stop();

      expect(inFlight).toBeGreaterThan(0);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(SHUTDOWN_BOUND_MS);
      expect(load.counts.failed).toBe(0);
      expect(await auditCredits(database.url, load)).toEqual([]);
      await expectUnansweredNotApplied(database.url, load);

      const sums = expectedSums(load.expectations());
      report.push(
        `1 SIGTERM/memory: ${describeLoad(load)}; ${inFlight} in flight at SIGTERM, ${answeredAfterSignal} acked ` +
          `after it; exit ${code} in ${ms} ms; ${sums.unknown} peers ended on an unknown announce ` +
          `(${await unknownApplied(database.url, load)}); ` +
          `database = acked exactly`,
      );
    });
  }, 90_000);

  it('SIGTERM during load, Redis peer store, then a restart that carries on from the same baselines', async () => {
    const database = await tempDatabase('loss_redis');
    const prefix = redisPrefix();
    const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, FLUSH_INTERVAL_MS: '1000' };
    const first = await launch(env);
    const started = [first];
    await withTrackerLogs(started, async () => {
      const { load } = await prepareLoad(first);
      load.start();
      await sleep(3_000);
      const inFlight = load.inFlight;
      const stop1 = await terminate(first);
      await load.stop();
      expect(inFlight).toBeGreaterThan(0);
      expect(stop1.code).toBe(0);
      expect(stop1.ms).toBeLessThan(SHUTDOWN_BOUND_MS);
      // The final flush wrote everything: nothing is left pending in Redis.
      expect(await redisPending(prefix)).toEqual({ ledgers: 0, parts: 0, batches: 0 });
      expect(await auditCredits(database.url, load)).toEqual([]);
      await expectUnansweredNotApplied(database.url, load);
      const phase1 = describeLoad(load);
      const unknown1 = `${expectedSums(load.expectations()).unknown} peers on an unknown announce (${await unknownApplied(database.url, load)})`;

      const second = await launch(env);
      started.push(second);
      load.retarget(second.baseUrl);
      load.start();
      await sleep(3_000);
      await load.stop();
      // One more acked announce per peer: every peer now ends on an acked announce, so the totals are exact.
      await load.sweep();
      const stop2 = await terminate(second);
      expect(stop2.code).toBe(0);
      expect(stop2.ms).toBeLessThan(SHUTDOWN_BOUND_MS);
      expect(load.counts.failed).toBe(0);
      expect(expectedSums(load.expectations()).unknown).toBe(0);
      expect(await redisPending(prefix)).toEqual({ ledgers: 0, parts: 0, batches: 0 });
      expect(await auditCredits(database.url, load)).toEqual([]);

      report.push(
        `2 SIGTERM/redis: first run ${phase1}, ${inFlight} in flight at SIGTERM, exit ${stop1.code} in ${stop1.ms} ms, ` +
          `${unknown1}, nothing left in Redis; after restart and a sweep, in all ` +
          `${describeLoad(load)}; exit ${stop2.code} in ${stop2.ms} ms; database = acked exactly`,
      );
    });
  }, 90_000);

  it.each(['Redis', 'Redis Cluster'] as const)(
    'SIGKILL during load, %s peer store: the pending ledger survives and is applied once after a restart',
    async (kind) => {
      const database = await tempDatabase('loss_kill');
      const prefix = redisPrefix();
      let client: Redis | Cluster = redis;
      let storeEnv: Record<string, string> = { REDIS_URL };
      if (kind === 'Redis Cluster') {
        const cluster = await testCluster();
        client = cluster.client();
        clusterClients.push(client);
        storeEnv = { REDIS_CLUSTER_NODES: cluster.ports.map((port) => `127.0.0.1:${port}`).join(',') };
      }
      const env = { DATABASE_URL: database.url, ...storeEnv, REDIS_KEY_PREFIX: prefix, FLUSH_INTERVAL_MS: '3000' };
      const first = await launch(env);
      const started = [first];
      await withTrackerLogs(started, async () => {
        const { load } = await prepareLoad(first);
        load.start();
        // Flushes go on under steady load (the first one writes the baselines' successors)...
        const flushedDuringLoad = await waitFor(
          async () => {
            const flushed = rawSums(await readUsers(database.url)).uploaded;
            return flushed > 0 ? flushed : undefined;
          },
          { description: 'a flush during the load', timeoutMs: 10_000, intervalMs: 100 },
        );
        // ...and the kill lands halfway to the next one, with plenty acknowledged and not yet written.
        await sleep(1_500);
        const inFlight = load.inFlight;
        await first.kill();
        await load.stop();
        expect(inFlight).toBeGreaterThan(0);

        // What the killed tracker acknowledged but had not written yet.
        const pendingAtKill = await redisPending(prefix, client);
        const dbAtKill = rawSums(await readUsers(database.url));
        const ackedAtKill = expectedSums(load.expectations());
        const pendingBytes = ackedAtKill.min.uploaded - dbAtKill.uploaded;
        expect(pendingAtKill.ledgers + pendingAtKill.parts).toBeGreaterThan(0);
        expect(pendingBytes).toBeGreaterThan(0);

        const restartedAt = Date.now();
        const second = await launch(env);
        started.push(second);
        const readyMs = Date.now() - restartedAt;
        // Nothing announces meanwhile: the new instance drains the old ledger (a batch the killed one had claimed is
        // taken over when its 30 s lease runs out).
        await waitFor(async () => (isEmpty(await redisPending(prefix, client)) ? true : undefined), {
          description: 'the pending ledger left by the killed tracker to be flushed',
          timeoutMs: 50_000,
          intervalMs: 100,
        });
        const drainedMs = Date.now() - restartedAt;
        expect(await auditCredits(database.url, load)).toEqual([]);
        const afterRestart = expectedSums(load.expectations());
        const appliedAfterKill = await unknownApplied(database.url, load);

        // Carry on: the baselines survived in Redis, so every peer's next acked announce settles its unknowns.
        load.retarget(second.baseUrl);
        load.start();
        await sleep(2_000);
        await load.stop();
        await load.sweep();
        const stop2 = await terminate(second);
        expect(stop2.code).toBe(0);
        expect(stop2.ms).toBeLessThan(SHUTDOWN_BOUND_MS);
        expect(load.counts.failed).toBe(0);
        expect(expectedSums(load.expectations()).unknown).toBe(0);
        expect(await auditCredits(database.url, load)).toEqual([]);

        const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
        report.push(
          `3 SIGKILL/${kind}: ${mib(flushedDuringLoad)} flushed during the load; killed with ${inFlight} in flight; ` +
            `pending in Redis at the kill: ${pendingAtKill.ledgers} ` +
            `swarm ledgers, ${pendingAtKill.parts} claimed batch parts, ${pendingAtKill.batches} batches, ` +
            `${mib(pendingBytes)} of the ${mib(ackedAtKill.min.uploaded)} acked upload not yet in PostgreSQL; ${afterRestart.unknown} peers on an unknown ` +
            `announce (${appliedAfterKill}); restarted healthy in ${readyMs} ms, ledger drained ${drainedMs} ms after the restart, totals ` +
            `within [acked, acked + unknown]; after carrying on and a sweep: ${describeLoad(load)}; exit ` +
            `${stop2.code} in ${stop2.ms} ms; database = acked exactly`,
        );
      });
    },
    120_000,
  );

  it('PostgreSQL stopped during load and started again: announces go on, nothing is lost', async () => {
    scratch = await startScratchPostgres();
    const url = await scratch.createDatabase('tracker');
    // A 1 s lookup TTL: the outage outlasts every cached user, torrent and the whitelist, which must keep answering.
    const tracker = await launch({ DATABASE_URL: url, FLUSH_INTERVAL_MS: '500', LOOKUP_CACHE_TTL_MS: '1000' });
    await withTrackerLogs([tracker], async () => {
      const pg = scratch!;
      const { load } = await prepareLoad(tracker);
      load.start();
      await sleep(2_000);
      const dbBefore = rawSums(await readUsers(url));
      expect(dbBefore.uploaded).toBeGreaterThan(0); // the flusher works before the outage

      const before = { ...load.counts };
      const downAt = Date.now();
      await pg.stop();
      await sleep(5_000);
      const during = { ...load.counts };
      await pg.start();
      const downMs = Date.now() - downAt;
      const ackedWhileDown = during.acked - before.acked;
      const failedWhileDown = during.failed - before.failed;
      const unknownWhileDown = during.unknown - before.unknown;

      // The first flush after the outage (the flusher backs off while PostgreSQL is away).
      const backAt = Date.now();
      await waitFor(async () => (rawSums(await readUsers(url)).uploaded > dbBefore.uploaded ? true : undefined), {
        description: 'the first flush after PostgreSQL came back',
        timeoutMs: 40_000,
        intervalMs: 100,
      });
      const firstFlushMs = Date.now() - backAt;
      await sleep(1_000);
      await load.stop();
      await load.sweep();
      // Everything acknowledged, the outage included, reaches PostgreSQL without a shutdown to push it.
      await waitFor(async () => ((await auditCredits(url, load)).length === 0 ? true : undefined), {
        description: 'every acked byte in PostgreSQL',
        timeoutMs: 40_000,
        intervalMs: 200,
      });
      const caughtUpMs = Date.now() - backAt;
      const { code, ms } = await terminate(tracker);

      expect(ackedWhileDown).toBeGreaterThan(0);
      expect(failedWhileDown).toBe(0);
      expect(unknownWhileDown).toBe(0);
      expect(load.counts.failed).toBe(0);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(SHUTDOWN_BOUND_MS);
      expect(expectedSums(load.expectations()).unknown).toBe(0);
      expect(await auditCredits(url, load)).toEqual([]);

      report.push(
        `4 PostgreSQL outage/memory: PostgreSQL down ${downMs} ms, ${ackedWhileDown} announces acked meanwhile ` +
          `(${failedWhileDown} failed, ${unknownWhileDown} unknown); first flush ${firstFlushMs} ms after it was ` +
          `back, all acked bytes in PostgreSQL ${caughtUpMs} ms after; in all ${describeLoad(load)}; exit ${code} ` +
          `in ${ms} ms; database = acked exactly`,
      );
    });
  }, 90_000);
});
