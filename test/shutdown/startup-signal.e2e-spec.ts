import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { waitFor } from 'test/support/wait-for';

const ENTRY = resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM while the tracker is still starting (issue 17: a supervisor that gives up on a slow start) must not leave
 * the embedded PostgreSQL running. The start is held up for good by a Redis peer store that cannot be reached, after
 * the embedded database is up, so the signal always lands during startup.
 */
describe('a signal during startup', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'startup-signal-'));
  let tracker: ManagedProcess | undefined;

  afterAll(async () => {
    await tracker?.kill();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('exits at once and stops the embedded PostgreSQL it started', async () => {
    const port = await freePort('127.0.0.1');
    tracker = await ManagedProcess.start(process.execPath, [ENTRY], {
      name: 'tracker',
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        PEER_STORE: 'redis',
        REDIS_URL: 'redis://127.0.0.1:1', // nothing listens: the start waits for it
        NO_COLOR: '1',
      },
    });
    // Ready, not merely present: initdb's own single-user backend writes a postmaster.pid too.
    await waitFor(() => Promise.resolve(/Embedded PostgreSQL .* ready on/.test(tracker!.logs()) ? true : undefined), {
      description: 'the embedded PostgreSQL to be ready',
      timeoutMs: 90_000,
      intervalMs: 100,
    });
    const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(postmaster)).toBe(true);
    await waitFor(() => Promise.resolve(tracker!.logs().includes('Redis main connection') ? true : undefined), {
      description: 'the tracker to wait for Redis',
      timeoutMs: 60_000,
      intervalMs: 100,
    });

    expect(await tracker.stop('SIGTERM', 20_000)).toBe(0);
    expect(tracker.logs()).toContain('SIGTERM received while starting: exiting');
    await waitFor(() => Promise.resolve(alive(postmaster) ? undefined : true), {
      description: `the embedded PostgreSQL (pid ${postmaster}) to stop`,
      timeoutMs: 20_000,
      intervalMs: 100,
    });
  }, 180_000);
});
