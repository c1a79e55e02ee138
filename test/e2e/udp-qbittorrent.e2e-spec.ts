import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from 'test/support/admin-client';
import { startAria2Seeder, type Aria2Seeder } from 'test/support/bt-clients/aria2';
import { startQbittorrent, type Qbittorrent } from 'test/support/bt-clients/qbittorrent';
import { freeListenPort, freeUdpPort } from 'test/support/free-port';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { makePrivateTorrent, readInfoHash, sha256File, writeRandomPayload } from 'test/support/torrent-fixture';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';
import { GiveUp, waitFor } from 'test/support/wait-for';

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

/**
 * qBittorrent (libtorrent 2.0) leeches a private torrent whose only tracker is `udp://127.0.0.1:<port>/<passkey>/announce`
 * (libtorrent sends the path in BEP 41 URL data), from aria2 seeding the same torrent over HTTP to the same tracker:
 * both transports feed one swarm and one ledger. The file stays within about 100 s; a normal run takes about 15 s.
 */
describe('qBittorrent over UDP, aria2 over HTTP, one swarm', () => {
  let workDir: string;
  let database: TempDatabase;
  let tracker: TrackerProcess;
  let admin: AdminClient;
  let udpPort: number;
  let seeder: Aria2Seeder | undefined;
  let leecher: Qbittorrent | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'udp-qbittorrent-'));
    database = await createTempDatabase('e2e');
    udpPort = await freeUdpPort('127.0.0.1');
    tracker = await startTracker(
      {
        DATABASE_URL: database.url,
        ADMIN_TOKEN: randomBytes(24).toString('hex'),
        FLUSH_INTERVAL_MS: '200',
        UDP_PORT: String(udpPort),
      },
      { readyTimeoutMs: 30_000 },
    );
    admin = new AdminClient(tracker.baseUrl, tracker.adminToken);
  }, 40_000);

  afterAll(async () => {
    await leecher?.kill().catch(() => undefined);
    await seeder?.kill().catch(() => undefined);
    await tracker?.stop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    if (workDir) {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 20_000);

  it('downloads intact, counts the snatch, and credits both users', async () => {
    const seedData = join(workDir, 'seed-data');
    const savePath = join(workDir, 'leech-data');
    await mkdir(seedData, { recursive: true });
    await mkdir(savePath, { recursive: true });
    const sha256 = await writeRandomPayload(join(seedData, 'udp.bin'), SIZE);
    const seederUser = await admin.createUser({ id: 1 });
    const leecherUser = await admin.createUser({ id: 2 });
    const seedTorrent = join(workDir, 'seed.torrent');
    const leechTorrent = join(workDir, 'leech.torrent');
    const udpUrl = `udp://127.0.0.1:${udpPort}/${leecherUser.passkey}/announce`;
    await makePrivateTorrent(
      join(seedData, 'udp.bin'),
      `${tracker.baseUrl}/${seederUser.passkey}/announce`,
      seedTorrent,
    );
    await makePrivateTorrent(join(seedData, 'udp.bin'), udpUrl, leechTorrent);
    const infoHash = await readInfoHash(seedTorrent);
    expect(await readInfoHash(leechTorrent)).toBe(infoHash);
    await admin.createTorrent({ infoHash, uploaderId: seederUser.id });

    seeder = await startAria2Seeder({
      torrentPath: seedTorrent,
      dataDir: seedData,
      workDir,
      ip: '127.0.0.6',
      port: await freeListenPort('127.0.0.6'),
    });
    leecher = await startQbittorrent({
      workDir: join(workDir, 'qbittorrent'),
      ip: '127.0.0.7',
      port: await freeListenPort('127.0.0.7'),
      webUiPort: await freeListenPort('127.0.0.1'),
    });
    const qb = leecher;
    try {
      await admin.torrentWhere(infoHash, 'the seeder in the swarm', (t) => t.seeders.count === 1);
      await qb.addTorrent(leechTorrent, savePath);
      await waitFor(
        async () => {
          const trackers = await qb.trackers(infoHash);
          const broken = trackers.find((t) => t.status === 4);
          if (broken) {
            throw new GiveUp(`qBittorrent: tracker not working: ${broken.msg}`);
          }
          const progress = (await qb.torrent(infoHash))?.progress ?? 0;
          return progress >= 1 ? progress : undefined;
        },
        { description: 'the download to complete', timeoutMs: 40_000, intervalMs: 250 },
      );
      expect(await sha256File(join(savePath, 'udp.bin'))).toBe(sha256);
      const trackers = await qb.trackers(infoHash);
      expect(trackers.filter((t) => t.url.startsWith('udp://')).map((t) => t.status)).toEqual([2]);

      // The `completed` came over UDP: one snatch, and the leecher is a seeder now.
      await admin.torrentWhere(
        infoHash,
        'completed = 1, two seeders',
        (t) => t.completed === 1 && t.seeders.count === 2,
      );
      const history = await admin.getUserTorrents(leecherUser.id);
      expect(history.find((h) => h.infoHash === infoHash)?.completedAt).toEqual(expect.any(String));

      await qb.stop();
      await seeder.stop();
      await admin.torrentWhere(infoHash, 'both peers gone', (t) => t.seeders.count === 0 && t.leechers.count === 0);
      const [up, down] = await waitFor(
        async () => {
          const users = [await admin.getUser(seederUser.id), await admin.getUser(leecherUser.id)];
          return users[0].uploaded >= SIZE && users[1].downloaded >= SIZE ? users : undefined;
        },
        { description: 'the transfer credited to both users', timeoutMs: 15_000, intervalMs: 250 },
      );
      // Running totals as the clients counted them: the payload, plus at most a few re-requested blocks.
      expect(down.downloaded).toBeLessThan(SIZE * 1.1);
      expect(up.uploaded).toBeLessThan(SIZE * 1.1);
      expect(down.uploaded).toBe(0);
      // Every packet of libtorrent's was well formed, and proven by its connection ID.
      const metrics = await (await fetch(`${tracker.baseUrl}/metrics`)).text();
      const udp = (result: string) =>
        Number(new RegExp(`^tracker_udp_packets_total\\{result="${result}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      expect(udp('connect')).toBeGreaterThanOrEqual(1);
      expect(udp('request')).toBeGreaterThanOrEqual(3); // started, completed, stopped
      expect([udp('malformed'), udp('bad_connection_id')]).toEqual([0, 0]);
      // SIGTERM with the UDP socket bound: a graceful exit (the socket closes before the final flush).
      expect(await tracker.stop()).toBe(0);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const logs = [
        `--- tracker ---\n${tracker.logs().slice(-8000)}`,
        `--- aria2 seeder ---\n${(await seeder.logs()).slice(-4000)}`,
        `--- qBittorrent ---\n${(await qb.logs()).slice(-6000)}`,
      ];
      throw new Error(`${message}\n${logs.join('\n')}`, { cause: error });
    }
  }, 90_000);
});
