import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PostgresBinaries } from 'src/storage/embedded/postgres-binaries.util';
import type { PosixIds } from 'src/storage/embedded/postgres-user.util';
import { killPostmaster } from 'src/storage/embedded/postmaster-process.util';

const INITDB_TIMEOUT_MS = 120_000;
export const START_TIMEOUT_MS = 30_000;
const LOG_TAIL_LINES = 20;
const READY_LINE = 'database system is ready to accept connections';
export const EMBEDDED_HOST = '127.0.0.1';
export const EMBEDDED_USER = 'postgres';

export interface EmbeddedPostgresLogger {
  log(msg: string): void;
  warn(msg: string): void;
}

/** Last lines of initdb/postgres stderr, for error messages; problems are forwarded as warnings. */
export class LogTail {
  private readonly lines: string[] = [];
  constructor(private readonly logger: EmbeddedPostgresLogger) {}
  push = (chunk: string): void => {
    for (const line of chunk.split('\n').filter((l) => l.trim())) {
      this.lines.push(line);
      if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) {
        this.logger.warn(`postgres: ${line}`);
      }
    }
    this.lines.splice(0, Math.max(0, this.lines.length - LOG_TAIL_LINES));
  };
  matches(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }
  text(): string {
    return this.lines.join('\n') || '(no output)';
  }
}

/** How initdb and postgres are spawned: as the postgres user when we are root, always inside the cluster folder. */
export interface Runner {
  binaries: PostgresBinaries;
  ids?: PosixIds;
  pgDataDir: string;
}

/** `-D` as the server sees it: its own working directory when it cannot reach the real path (see the class). */
function dataDirArgument(runner: Runner): string {
  return runner.ids ? '/proc/self/cwd' : runner.pgDataDir;
}

function spawnPostgresTool(runner: Runner, binary: string, args: string[], stdin: 'ignore' | number): ChildProcess {
  return spawn(binary, args, {
    cwd: runner.pgDataDir,
    ...(runner.ids ?? {}),
    // Nothing of ours (tokens, URLs) in its environment; C messages, which the ready check reads.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

/**
 * The password as initdb's stdin: a file opened and already unlinked, so that none is left behind and the server user
 * needs no path to it (it reopens /dev/stdin; a pipe would not do, Node's are sockets, which cannot be reopened).
 */
function passwordDescriptor(runner: Runner, password: string): number {
  const file = join(dirname(runner.pgDataDir), `.initdb-password-${process.pid}`);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  try {
    if (runner.ids) {
      chownSync(file, runner.ids.uid, runner.ids.gid);
    }
    return openSync(file, 'r');
  } finally {
    rmSync(file, { force: true });
  }
}

/** initdb into an empty `<dataDir>/postgres`, owned by the user the server runs as. */
export async function initdb(runner: Runner, password: string, logs: LogTail): Promise<void> {
  const { pgDataDir, ids } = runner;
  // Never delete it: without PG_VERSION it is an interrupted initdb, or not ours at all.
  if (existsSync(pgDataDir) && readdirSync(pgDataDir).length > 0) {
    throw new Error(`${pgDataDir} is not empty but holds no cluster (PG_VERSION): remove or move it`);
  }
  mkdirSync(pgDataDir, { recursive: true, mode: 0o700 });
  if (ids) {
    chownSync(pgDataDir, ids.uid, ids.gid);
  }
  const passwordFd = passwordDescriptor(runner, password);
  let child: ChildProcess;
  try {
    child = spawnPostgresTool(
      runner,
      runner.binaries.initdb,
      [
        `--pgdata=${dataDirArgument(runner)}`,
        '--auth=scram-sha-256',
        `--username=${EMBEDDED_USER}`,
        // The password goes through a pipe: no file the server user would need to reach, none left behind.
        '--pwfile=/dev/stdin',
        // C collation: byte order, identical on every host, and no collation-version drift after OS upgrades.
        '--encoding=UTF8',
        '--locale=C',
      ],
      passwordFd,
    );
  } finally {
    closeSync(passwordFd);
  }
  child.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<string | null>((done) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(`did not finish within ${INITDB_TIMEOUT_MS} ms`);
    }, INITDB_TIMEOUT_MS);
    child.once('error', (error) => done(error.message));
    child.once('exit', (code, signal) => done(code === 0 ? null : `exited with ${code ?? signal}`));
  });
  clearTimeout(timer);
  if (outcome !== null) {
    throw new Error(`initdb ${outcome}; its last output:\n${logs.text()}`);
  }
}

type PostmasterStart =
  { child: ChildProcess; reason?: undefined } | { child?: undefined; reason: 'exited' | 'timeout' };

/** Spawns the postmaster and resolves once it accepts connections, or with why it did not. */
export async function startPostmaster(runner: Runner, port: number, logs: LogTail): Promise<PostmasterStart> {
  const child = spawnPostgresTool(
    runner,
    runner.binaries.postgres,
    [
      '-D',
      dataDirArgument(runner),
      '-p',
      String(port),
      '-c',
      `listen_addresses=${EMBEDDED_HOST}`,
      // No Unix socket: clients use TCP, and nothing collides with the system server's socket directory.
      '-c',
      'unix_socket_directories=',
    ],
    'ignore',
  );
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<'ready' | 'exited' | 'timeout'>((done) => {
    const onOutput = (chunk: Buffer): void => {
      const text = chunk.toString();
      logs.push(text);
      if (text.includes(READY_LINE)) {
        done('ready');
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', (error) => {
      logs.push(error.message);
      done('exited');
    });
    child.once('exit', () => done('exited'));
    timer = setTimeout(() => done('timeout'), START_TIMEOUT_MS);
  });
  clearTimeout(timer);
  if (outcome === 'ready') {
    // Keep draining its output (forwarding problems); a full pipe would block the server.
    return { child };
  }
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    await killPostmaster(child.pid);
  }
  return { reason: outcome };
}
