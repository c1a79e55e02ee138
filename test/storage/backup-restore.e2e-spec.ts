import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { announceUrl, peerId } from 'test/support/announce-url';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';

const DIST = resolve(__dirname, '..', '..', 'dist', 'src', 'storage', 'backup');

/** What `npm run backup|restore -- <file>` runs after the build check. */
function tool(name: 'backup' | 'restore', file: string, dataDir: string) {
  return spawnSync(process.execPath, [join(DIST, `${name}.main.js`), file], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

async function api(tracker: TrackerProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${tracker.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tracker.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('backup and restore of the embedded database', () => {
  const base = join(mkdtempSync(join(tmpdir(), 'backup-')), 'private home'); // under a mode-0700 folder
  let tracker: TrackerProcess | undefined;

  afterAll(async () => {
    await tracker?.kill();
    rmSync(resolve(base, '..'), { recursive: true, force: true });
  });

  it('backs up beside a running tracker and restores into a fresh DATA_DIR, rows and history intact', async () => {
    const source = join(base, 'source');
    tracker = await startTracker({ DATA_DIR: source, FLUSH_INTERVAL_MS: '100' }, { readyTimeoutMs: 90_000 });
    const user = await api(tracker, 'POST', '/api/users', { id: 9, uploadMultiplier: 1.5 });
    const infoHash = randomBytes(20).toString('hex');
    await api(tracker, 'POST', '/api/torrents', { infoHash, freeleech: true });
    const peer = peerId();
    for (const [event, uploaded] of [
      ['started', 0],
      ['completed', 1000],
    ] as const) {
      const url = announceUrl(user.body.passkey, {
        infoHash: Buffer.from(infoHash, 'hex'),
        peerId: peer,
        uploaded,
        event,
      });
      await fetch(`${tracker.baseUrl}${url}`);
    }
    expect(await tracker.stop()).toBe(0); // flushes the accounting
    tracker = await startTracker({ DATA_DIR: source }, { readyTimeoutMs: 90_000 });
    const before = await api(tracker, 'GET', '/api/users/9');
    const history = await api(tracker, 'GET', '/api/users/9/torrents');
    expect(before.body).toMatchObject({ uploaded: 1500, rawUploaded: 1000 });
    const feed = await api(tracker, 'GET', '/api/changes?after=0');
    expect(feed.body.users).toEqual([expect.objectContaining({ id: 9, uploaded: 1500 })]);
    const token = await api(tracker, 'POST', '/api/promotions', { userId: 9, infoHash, uploadFactor: 2 });
    expect(token.status).toBe(201);

    const file = join(base, 'tracker backup.jsonl.gz');
    const backup = tool('backup', file, source); // while the tracker runs: through the stable address
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(await tracker.stop()).toBe(0);

    const target = join(base, 'restored');
    const restore = tool('restore', file, target);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    expect(restore.stdout).toContain('Restored');
    expect(tool('restore', file, target)).toMatchObject({ status: 1, stderr: expect.stringContaining('not empty') });

    tracker = await startTracker({ DATA_DIR: target }, { readyTimeoutMs: 90_000 });
    expect((await api(tracker, 'GET', '/api/users/9')).body).toEqual({
      ...before.body,
      activeTorrents: expect.anything(),
    });
    // `active` is live state (the memory peer store), not stored: every other field must come back as it was.
    const stored = (entries: Record<string, unknown>[]) => entries.map(({ active: _active, ...entry }) => entry);
    const restored = await api(tracker, 'GET', '/api/users/9/torrents');
    expect(stored(restored.body as Record<string, unknown>[])).toEqual(
      stored(history.body as Record<string, unknown>[]),
    );
    expect((await api(tracker, 'GET', `/api/torrents/${infoHash}`)).body).toMatchObject({
      freeleech: true,
      completed: 1,
    });
    // The change feed comes back whole, and its sequence goes on after the restored cursor.
    expect((await api(tracker, 'GET', '/api/changes?after=0')).body).toEqual(feed.body);
    expect((await api(tracker, 'GET', '/api/changes')).body.next).toBe(feed.body.next);
    const created = await api(tracker, 'POST', '/api/users', { id: 10 });
    expect(created.status).toBe(201);
    // Promotions come back, and their ids go on after the restored ones.
    expect((await api(tracker, 'GET', `/api/promotions/${token.body.id}`)).body).toEqual(token.body);
    const next = await api(tracker, 'POST', '/api/promotions', { downloadFactor: 0 });
    expect(next.body.id).toBeGreaterThan(token.body.id);
    expect(await tracker.stop()).toBe(0);
    tracker = undefined;
  }, 300_000);
});
