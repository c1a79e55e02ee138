import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { AdminClient } from 'test/support/admin-client';
import { startAria2Seeder } from 'test/support/bt-clients/aria2';
import { startQbittorrent } from 'test/support/bt-clients/qbittorrent';
import { startTransmission } from 'test/support/bt-clients/transmission';
import { startFakeTracker } from 'test/support/fake-tracker';
import { freeListenPort } from 'test/support/free-port';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { makePrivateTorrent, readInfoHash, sha256File, writeRandomPayload } from 'test/support/torrent-fixture';
import { startTracker } from 'test/support/tracker-process';
import { GiveUp, waitFor } from 'test/support/wait-for';

/**
 * Real BitTorrent clients (aria2, qBittorrent, transmission from Debian) swap a private torrent through the compiled
 * tracker. DHT, PEX, LPD and UPnP are off, so the tracker is the only way the peers find each other. Each client has
 * its own 127.0.0.x address and listens below the ephemeral port range. The whole file stays within about 3 minutes
 * (hook and test timeouts below); a normal run takes about 30 s.
 *
 * REAL_CLIENTS_TRACKER=fake runs the same scenario against the in-process stand-in (test/support/fake-tracker), to tell
 * a client or harness problem from a tracker one.
 */
const AGAINST_FAKE = process.env.REAL_CLIENTS_TRACKER === 'fake';
const REQUIRED_BINARIES = ['aria2c', 'qbittorrent-nox', 'transmission-daemon', 'mktorrent'];
const MiB = 1024 * 1024;

interface Tracker {
  baseUrl: string;
  adminToken: string;
  stop(): Promise<unknown>;
  logs(): string;
}

/** A leecher as the scenario drives it, whichever client it is. */
interface Leecher {
  addTorrent(torrentPath: string, savePath: string): Promise<void>;
  /** Progress 0..1; throws with the client's own message when the tracker answered a failure. */
  progress(infoHash: string): Promise<number>;
  stop(): Promise<unknown>;
  kill(): Promise<void>;
  logs(): Promise<string> | string;
}

function missingBinaries(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  return REQUIRED_BINARIES.filter(
    (name) =>
      !dirs.some((dir) => {
        try {
          accessSync(join(dir, name), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

describe('real BitTorrent clients against the tracker', () => {
  let workDir: string;
  let database: TempDatabase | undefined;
  let tracker: Tracker | undefined;
  let admin: AdminClient;
  let nextUserId = 1;
  /** Run in reverse order in afterAll, whatever happened: every process we started, killed. */
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    const missing = missingBinaries();
    if (missing.length > 0) {
      throw new Error(
        `missing ${missing.join(', ')}: apt-get install -y aria2 qbittorrent-nox transmission-daemon mktorrent`,
      );
    }
    workDir = await mkdtemp(join(tmpdir(), 'real-clients-'));
    if (AGAINST_FAKE) {
      tracker = await startFakeTracker();
    } else {
      database = await createTempDatabase('e2e');
      tracker = await startTracker(
        {
          DATABASE_URL: database.url,
          ADMIN_TOKEN: randomBytes(24).toString('hex'),
          FLUSH_INTERVAL_MS: '200',
        },
        { readyTimeoutMs: 30_000 },
      );
    }
    admin = new AdminClient(tracker.baseUrl, tracker.adminToken);
  }, 40_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch(() => undefined);
    }
    await tracker?.stop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    if (workDir) {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 20_000);

  /** Two users with their passkeys, a random payload and one private torrent per user, registered with the tracker. */
  async function prepareSwarm(label: string, size: number) {
    const dir = join(workDir, label);
    const seedData = join(dir, 'seed-data');
    await mkdir(seedData, { recursive: true });
    const payloadName = `${label}.bin`;
    const payloadPath = join(seedData, payloadName);
    const sha256 = await writeRandomPayload(payloadPath, size);

    const seederUser = await admin.createUser({ id: nextUserId++ });
    const leecherUser = await admin.createUser({ id: nextUserId++ });
    const announceUrl = (passkey: string) => `${tracker!.baseUrl}/${passkey}/announce`;
    const seedTorrent = join(dir, 'seed.torrent');
    const leechTorrent = join(dir, 'leech.torrent');
    await makePrivateTorrent(payloadPath, announceUrl(seederUser.passkey), seedTorrent);
    await makePrivateTorrent(payloadPath, announceUrl(leecherUser.passkey), leechTorrent);
    const infoHash = await readInfoHash(seedTorrent);
    // The info dict holds no announce URL, so both users' torrents are one swarm.
    expect(await readInfoHash(leechTorrent)).toBe(infoHash);
    await admin.createTorrent({ infoHash, uploaderId: seederUser.id });
    return { dir, seedData, payloadName, sha256, size, infoHash, seedTorrent, leechTorrent, seederUser, leecherUser };
  }

  /**
   * The whole life of a two-peer swarm: seed, leech to completion, check the bytes and the snatch, stop both clients
   * gracefully and see both leave. Returns the download time in ms.
   */
  async function runSwarm(
    swarm: Awaited<ReturnType<typeof prepareSwarm>>,
    seederIp: string,
    seederOptions: { trackerIntervalSec?: number },
    downloadTimeoutMs: number,
    startLeecher: () => Promise<Leecher>,
  ): Promise<number> {
    const { infoHash } = swarm;
    const seeder = await startAria2Seeder({
      torrentPath: swarm.seedTorrent,
      dataDir: swarm.seedData,
      workDir: swarm.dir,
      ip: seederIp,
      port: await freeListenPort(seederIp),
      ...seederOptions,
    });
    cleanups.push(() => seeder.kill());
    const leecher = await startLeecher();
    cleanups.push(() => leecher.kill());

    try {
      await admin.torrentWhere(infoHash, 'the seeder in the swarm', (t) => t.seeders.count === 1);

      const savePath = join(swarm.dir, 'leech-data');
      await mkdir(savePath, { recursive: true });
      const started = Date.now();
      await leecher.addTorrent(swarm.leechTorrent, savePath);
      await waitFor(
        async () => {
          const progress = await leecher.progress(infoHash);
          return progress >= 1 ? progress : undefined;
        },
        { description: 'the download to complete', timeoutMs: downloadTimeoutMs, intervalMs: 250 },
      );
      const downloadMs = Date.now() - started;
      expect(await sha256File(join(savePath, swarm.payloadName))).toBe(swarm.sha256);

      // The leecher announced `completed` and is now a seeder too; the snatch is flushed within FLUSH_INTERVAL_MS.
      await admin.torrentWhere(infoHash, 'completed = 1', (t) => t.completed === 1);
      await admin.torrentWhere(infoHash, 'two seeders', (t) => t.seeders.count === 2 && t.leechers.count === 0);
      const history = await admin.getUserTorrents(swarm.leecherUser.id);
      expect(history.find((h) => h.infoHash === infoHash)?.completedAt).toEqual(expect.any(String));

      await leecher.stop();
      await seeder.stop();
      await admin.torrentWhere(infoHash, 'both peers gone', (t) => t.seeders.count === 0 && t.leechers.count === 0);

      // Running totals: the leecher's `completed` carries the whole download, the seeder's `stopped` its upload.
      await waitFor(
        async () => {
          const [up, down] = [await admin.getUser(swarm.seederUser.id), await admin.getUser(swarm.leecherUser.id)];
          if (up.uploaded < swarm.size || down.downloaded < swarm.size) {
            throw new Error(`seeder uploaded ${up.uploaded}, leecher downloaded ${down.downloaded}`);
          }
          return true;
        },
        { description: 'the transfer credited to both users', timeoutMs: 15_000, intervalMs: 250 },
      );
      return downloadMs;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const logs = [
        `--- tracker ---\n${tracker!.logs().slice(-8000)}`,
        `--- aria2 seeder ---\n${(await seeder.logs()).slice(-6000)}`,
        `--- leecher ---\n${(await leecher.logs()).slice(-6000)}`,
      ];
      throw new Error(`${message}\n${logs.join('\n')}`, { cause: error });
    }
  }

  it('aria2 seeds to qBittorrent: intact file, one snatch, both peers leave on a graceful stop', async () => {
    const swarm = await prepareSwarm('aria2-qbittorrent', 16 * MiB);
    const startedAt = Date.now();
    const downloadMs = await runSwarm(swarm, '127.0.0.2', {}, 40_000, async () => {
      const qb = await startQbittorrent({
        workDir: join(swarm.dir, 'qbittorrent'),
        ip: '127.0.0.3',
        port: await freeListenPort('127.0.0.3'),
        webUiPort: await freeListenPort('127.0.0.1'),
      });
      return {
        addTorrent: (torrentPath, savePath) => qb.addTorrent(torrentPath, savePath),
        progress: async (infoHash) => {
          const broken = (await qb.trackers(infoHash)).find((t) => t.status === 4);
          if (broken) {
            throw new GiveUp(`qBittorrent: tracker not working: ${broken.msg}`);
          }
          return (await qb.torrent(infoHash))?.progress ?? 0;
        },
        stop: () => qb.stop(),
        kill: () => qb.kill(),
        logs: () => qb.logs(),
      };
    });
    console.log(`aria2 -> qBittorrent: ${swarm.size} bytes in ${downloadMs} ms, swarm ${Date.now() - startedAt} ms`);
  }, 65_000);

  it('aria2 seeds to transmission, which it must dial: intact file, one snatch, both peers leave', async () => {
    const swarm = await prepareSwarm('aria2-transmission', 8 * MiB);
    const startedAt = Date.now();
    // transmission never dials 127.x peers: the seeder re-announces every 3 s to learn of it and dial in.
    const downloadMs = await runSwarm(swarm, '127.0.0.4', { trackerIntervalSec: 3 }, 50_000, async () => {
      const tr = await startTransmission({
        workDir: join(swarm.dir, 'transmission'),
        ip: '127.0.0.5',
        port: await freeListenPort('127.0.0.5'),
        rpcPort: await freeListenPort('127.0.0.1'),
      });
      return {
        addTorrent: (torrentPath, savePath) => tr.addTorrent(torrentPath, savePath),
        progress: async (infoHash) => {
          const torrent = await tr.torrent(infoHash);
          // error 2 is a tracker error ("failure reason"); 1 a tracker warning, which does not stop the download.
          if (torrent?.error === 2) {
            throw new GiveUp(`transmission: tracker error: ${torrent.errorString}`);
          }
          return torrent?.percentDone ?? 0;
        },
        stop: () => tr.stop(),
        kill: () => tr.kill(),
        logs: () => tr.logs(),
      };
    });
    console.log(`aria2 -> transmission: ${swarm.size} bytes in ${downloadMs} ms, swarm ${Date.now() - startedAt} ms`);
  }, 75_000);
});
