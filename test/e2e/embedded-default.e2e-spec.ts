import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTempDatabase } from 'test/support/postgres-database';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';

const ENTRY = resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');

async function api(tracker: TrackerProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${tracker.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tracker.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('the embedded default: no configuration at all', () => {
  let dataDir: string;
  let tracker: TrackerProcess | undefined;

  beforeAll(async () => {
    // mkdtemp makes it 0700: run as root, the embedded PostgreSQL (as the postgres user) must not need to traverse it.
    dataDir = await mkdtemp(join(tmpdir(), 'tracker-embedded-'));
  });

  afterAll(async () => {
    await tracker?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, writes an admin token, serves the API and announces, and keeps users across a restart', async () => {
    tracker = await startTracker({ DATA_DIR: dataDir }, { readyTimeoutMs: 90_000 });
    const tokenFile = join(dataDir, 'admin-token');
    expect(((await stat(tokenFile)).mode & 0o777).toString(8)).toBe('600');
    expect(tracker.logs()).toContain(tokenFile);
    expect(tracker.logs()).not.toContain(tracker.adminToken);

    const created = await api(tracker, 'POST', '/api/users', { id: 42, uploadMultiplier: 2 });
    expect(created.status).toBe(201);
    const infoHash = randomBytes(20);
    expect((await api(tracker, 'POST', '/api/torrents', { infoHash: infoHash.toString('hex') })).status).toBe(201);
    const announce = await fetch(
      `${tracker.baseUrl}${announceUrl(created.body.passkey, { infoHash, peerId: peerId(), left: 0 })}`,
    );
    expect(new Answer(Buffer.from(await announce.arrayBuffer())).failure).toBeUndefined();
    expect(tracker.logs()).not.toContain(created.body.passkey);

    expect(await tracker.stop()).toBe(0);
    const token = (await readFile(tokenFile, 'utf8')).trim();

    tracker = await startTracker({ DATA_DIR: dataDir }, { readyTimeoutMs: 90_000 });
    expect(tracker.adminToken).toBe(token);
    const again = await api(tracker, 'GET', '/api/users/42');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: 42, passkey: created.body.passkey, uploadMultiplier: 2 });
    expect((await api(tracker, 'GET', `/api/torrents/${infoHash.toString('hex')}`)).status).toBe(200);
    expect((await fetch(`${tracker.baseUrl}/health`)).status).toBe(200);
    expect(await tracker.stop()).toBe(0);
    tracker = undefined;
  }, 240_000);
});

describe('startup', () => {
  it.each([
    ['PORT', 'not-a-port'],
    ['REDIS_URL', 'http://nope'],
    ['FLUSH_INTERVAL_MS', '-1'],
  ])('stops with a message naming %s when it is invalid', (name, value) => {
    const result = spawnSync(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH, [name]: value, DATA_DIR: join(tmpdir(), 'never-used') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid configuration: ${name}`);
  });

  it('answers 401 on /api and warns when DATABASE_URL is set without ADMIN_TOKEN', async () => {
    const database = await createTempDatabase('e2e');
    const tracker = await startTracker({ DATABASE_URL: database.url });
    try {
      expect((await fetch(`${tracker.baseUrl}/api/stats`)).status).toBe(401);
      expect((await fetch(`${tracker.baseUrl}/api/stats`, { headers: { authorization: 'Bearer ' } })).status).toBe(401);
      expect(tracker.logs()).toContain('ADMIN_TOKEN is not set');
    } finally {
      await tracker.stop();
      await database.drop();
    }
  }, 60_000);
});
