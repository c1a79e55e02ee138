import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { sleep } from 'test/support/wait-for';

const REPO_ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(REPO_ROOT, 'dist', 'src', 'main.js');

/** Process variables the tracker gets besides the test's own: enough to run node, nothing that configures it. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

export interface StartTrackerOptions {
  /** How long to wait for `GET /health` to answer 200. */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after its signal before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface TrackerProcess {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  port: number;
  /** The bearer token for `/api`; empty when the tracker has none (DATABASE_URL without ADMIN_TOKEN). */
  adminToken: string;
  pid: number;
  /** Sends `signal` (SIGTERM by default), waits for the exit (bounded, then SIGKILL); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL, no graceful shutdown. */
  kill(): Promise<void>;
  /** Everything the tracker wrote to stdout and stderr so far (the tail, if long). */
  logs(): string;
}

/**
 * Runs the compiled tracker (`dist/src/main.js`, built by `npm test` before jest) as a real process on 127.0.0.1 and a
 * free port, and resolves once `/health` answers 200. Without DATABASE_URL or DATA_DIR, the embedded database goes to
 * a temporary DATA_DIR that is removed after the process ends.
 */
export async function startTracker(
  env: Record<string, string> = {},
  options: StartTrackerOptions = {},
): Promise<TrackerProcess> {
  if (!existsSync(ENTRY)) {
    throw new Error(`${ENTRY} is missing: run \`npm run build\` first (npm test does)`);
  }
  const port = await freePort('127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  const ownDataDir =
    env.DATABASE_URL === undefined && env.DATA_DIR === undefined
      ? await mkdtemp(join(tmpdir(), 'tracker-data-'))
      : undefined;
  const dataDir = env.DATA_DIR ?? ownDataDir;

  const childEnv: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) {
      childEnv[name] = value;
    }
  }
  // Plain logs: they end up in test failure messages.
  Object.assign(childEnv, { NO_COLOR: '1' }, env, { HOST: '127.0.0.1', PORT: String(port) });
  if (ownDataDir !== undefined) {
    childEnv.DATA_DIR = ownDataDir;
  }

  const child = await ManagedProcess.start(process.execPath, [ENTRY], {
    name: 'tracker',
    cwd: REPO_ROOT,
    env: childEnv,
  });
  // The temporary DATA_DIR goes with the process, however it ends; stop() and kill() wait for that too.
  const removed = child.exited.then(async () => {
    if (ownDataDir !== undefined) {
      await rm(ownDataDir, { recursive: true, force: true });
    }
  });

  try {
    await waitUntilHealthy(baseUrl, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await child.kill();
    await removed;
    throw error;
  }

  const adminToken = env.ADMIN_TOKEN ?? (await readGeneratedToken(env, dataDir));
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  return {
    baseUrl,
    port,
    adminToken,
    pid: child.pid,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      const code = await child.stop(signal, stopTimeoutMs);
      await removed;
      return code;
    },
    kill: async () => {
      await child.kill();
      await removed;
    },
    logs: () => child.logs(),
  };
}

async function waitUntilHealthy(baseUrl: string, child: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!child.running) {
      throw new Error(`tracker exited with ${await child.exited} before it was healthy:\n${child.logs()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        return;
      }
      last = `HTTP ${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(`tracker not healthy after ${timeoutMs} ms (last: ${last}):\n${child.logs()}`);
}

/** The embedded default writes a generated token to DATA_DIR/admin-token; with DATABASE_URL there is none. */
async function readGeneratedToken(env: Record<string, string>, dataDir: string | undefined): Promise<string> {
  if (env.DATABASE_URL !== undefined || dataDir === undefined) {
    return '';
  }
  const path = join(resolve(REPO_ROOT, dataDir), 'admin-token');
  return (await readFile(path, 'utf8')).trim();
}
