import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient } from 'test/support/admin-client';
import { startAria2Seeder, type Aria2Seeder } from 'test/support/bt-clients/aria2';
import { freeListenPort, freePort } from 'test/support/free-port';
import { startNginx, type Nginx } from 'test/support/nginx';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { makePrivateTorrent, readInfoHash, writeRandomPayload } from 'test/support/torrent-fixture';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';
import { waitFor } from 'test/support/wait-for';

const run = promisify(execFile);
const REFERENCE_CONFIG = resolve(__dirname, '..', '..', 'deploy', 'nginx', 'tracker.conf');
/** The seeder's own loopback address: what the tracker must record, though it only ever talks to nginx. */
const CLIENT_IP = '127.0.0.7';

/**
 * HTTPS as operators deploy it: Debian's nginx runs deploy/nginx/tracker.conf (only its ports and certificate paths
 * rewritten) with a self-signed certificate made here by openssl, in front of the compiled tracker with
 * TRUST_PROXY=127.0.0.1 and a private admin port. aria2 announces over https://, verifying the certificate.
 */
describe('a real client announcing over HTTPS through the reference nginx config', () => {
  let workDir: string;
  let database: TempDatabase | undefined;
  let tracker: TrackerProcess | undefined;
  let nginx: Nginx | undefined;
  let seeder: Aria2Seeder | undefined;
  let httpsPort: number;
  let admin: AdminClient;
  let certificate: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'https-nginx-'));
    certificate = join(workDir, 'tracker.pem');
    const key = join(workDir, 'tracker.key');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-keyout', key, '-out', certificate,
    ]); // prettier-ignore

    database = await createTempDatabase('e2e');
    const adminPort = await freePort();
    tracker = await startTracker({
      DATABASE_URL: database.url,
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      ADMIN_PORT: String(adminPort),
      TRUST_PROXY: '127.0.0.1',
      FLUSH_INTERVAL_MS: '200',
    });
    admin = new AdminClient(`http://127.0.0.1:${adminPort}`, tracker.adminToken);

    httpsPort = await freePort();
    const reference = await readFile(REFERENCE_CONFIG, 'utf8');
    const config = rewrite(reference, [
      [/server 127\.0\.0\.1:6969;/, `server 127.0.0.1:${tracker.port};`],
      [/listen 443 ssl;/, `listen 127.0.0.1:${httpsPort} ssl;`],
      [/\n\s*listen \[::\]:443 ssl;/, ''],
      [/ssl_certificate \S+;/, `ssl_certificate ${certificate};`],
      [/ssl_certificate_key \S+;/, `ssl_certificate_key ${key};`],
    ]);
    const serverConfig = join(workDir, 'tracker.conf');
    await writeFile(serverConfig, config);
    nginx = await startNginx({ serverConfig, workDir: join(workDir, 'nginx'), port: httpsPort });
  }, 60_000);

  afterAll(async () => {
    await seeder?.kill().catch(() => undefined);
    await nginx?.stop().catch(() => undefined);
    await tracker?.stop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    if (workDir) {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 30_000);

  it("records the client's own address from X-Forwarded-For, and keeps the admin API off the public side", async () => {
    const user = await admin.createUser({ id: 1 });
    const seedData = join(workDir, 'seed-data');
    await mkdir(seedData, { recursive: true });
    const payload = join(seedData, 'https.bin');
    await writeRandomPayload(payload, 512 * 1024);
    const torrent = join(workDir, 'https.torrent');
    await makePrivateTorrent(payload, `https://127.0.0.1:${httpsPort}/${user.passkey}/announce`, torrent);
    const infoHash = await readInfoHash(torrent);
    await admin.createTorrent({ infoHash });

    seeder = await startAria2Seeder({
      torrentPath: torrent,
      dataDir: seedData,
      workDir,
      ip: CLIENT_IP,
      port: await freeListenPort(CLIENT_IP),
      caCertificate: certificate,
    });

    const seen = await waitFor(
      async () => {
        const { seeders } = await admin.getTorrent(infoHash);
        // lastIp arrives with the accounting flush, after the peer is in the swarm.
        return seeders.count === 1 ? ((await admin.getUser(1)).lastIp ?? undefined) : undefined;
      },
      { description: 'the seeder in the swarm and its lastIp flushed', timeoutMs: 30_000 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\naria2:\n${await seeder!.logs()}\nnginx:\n${await nginx!.logs()}`);
    });
    expect(seen).toBe(CLIENT_IP);
    const peers = await admin.getTorrentPeers(infoHash);
    expect(peers.map((peer) => peer.ip)).toEqual([CLIENT_IP]);
    // aria2 verified nginx's certificate against our CA (--check-certificate=true), not against nothing.
    expect(await seeder.logs()).toContain('1 certificate(s) were imported');

    // Through nginx, the admin API and the metrics are not there.
    const ca = await readFile(certificate);
    expect(await httpsStatus(`https://127.0.0.1:${httpsPort}/api/stats`, ca)).toBe(404);
    expect(await httpsStatus(`https://127.0.0.1:${httpsPort}/metrics`, ca)).toBe(404);
    expect(await httpsStatus(`https://127.0.0.1:${httpsPort}/health`, ca)).toBe(200);
  });
});

function httpsStatus(url: string, ca: Buffer): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    request.once('timeout', () => request.destroy(new Error(`${url}: no answer`)));
    request.once('error', reject);
  });
}

/** Applies each replacement, which must match: a reference config that no longer has the line is a test failure. */
function rewrite(text: string, replacements: Array<[RegExp, string]>): string {
  return replacements.reduce((current, [pattern, replacement]) => {
    if (!pattern.test(current)) {
      throw new Error(`deploy/nginx/tracker.conf has no line matching ${pattern}`);
    }
    return current.replace(pattern, replacement);
  }, text);
}
