import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freeListenPort } from 'test/support/free-port';

const run = promisify(execFile);

/** Where Debian installs PostgreSQL's server binaries, one folder per major version. */
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

export interface ScratchPostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database?: string): string;
  /** A new empty database on this cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: backends are terminated, the cluster shuts down cleanly. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it (immediate mode) if running and deletes its folder. Safe to call twice. */
  remove(): Promise<void>;
}

/** The newest Debian PostgreSQL whose bin/ has initdb and pg_ctl, or null. */
export function findPostgresBin(): string | null {
  if (!existsSync(DEBIAN_PG_ROOT)) {
    return null;
  }
  const versions = readdirSync(DEBIAN_PG_ROOT)
    .filter((name) => existsSync(join(DEBIAN_PG_ROOT, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(DEBIAN_PG_ROOT, versions[0], 'bin') : null;
}

/**
 * A throwaway PostgreSQL cluster of its own (initdb into a temporary folder, trust auth, 127.0.0.1 on a free port,
 * its socket in its folder), so that a test can stop and start PostgreSQL without touching the shared server.
 * Run as root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(`no PostgreSQL server binaries under ${DEBIAN_PG_ROOT} (apt-get install postgresql)`);
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'scratch-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);

  /** Runs a server binary, as `postgres` when we are root; the error carries its output. */
  const pg = async (tool: string, args: string[], timeoutMs: number): Promise<void> => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    try {
      await run(command, argv, { timeout: timeoutMs, cwd: dir });
    } catch (error) {
      const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${message}\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
  };

  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  await pg('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], 60_000);
  const port = await freeListenPort('127.0.0.1');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  let running = false;
  let removed = false;

  const serverLog = async () => (await readFile(logFile, 'utf8').catch(() => '')).slice(-4000);
  const start = async () => {
    try {
      await pg('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '30', 'start'], 40_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nserver log:\n${await serverLog()}`, { cause: error });
    }
    running = true;
  };
  const stopWith = async (mode: 'fast' | 'immediate') => {
    await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop'], 40_000);
    running = false;
  };
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    url,
    async createDatabase(name) {
      const client = new Client({ connectionString: url(), connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop: () => stopWith('fast'),
    start,
    get running() {
      return running;
    },
    async remove() {
      if (removed) {
        return;
      }
      removed = true;
      if (running) {
        await stopWith('immediate').catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
