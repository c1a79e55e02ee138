import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { waitFor } from 'test/support/wait-for';

const run = promisify(execFile);

export interface RedisServerOptions {
  /** requirepass (and masterauth, for a replica of a protected master). */
  password?: string;
  /** Serve TLS only, with these files (see makeTlsFiles). */
  tls?: TlsFiles;
  /** `host port` of the master to replicate. */
  replicaOf?: { host: string; port: number };
  /** More `--name value` settings, e.g. ['--appendonly', 'yes']. */
  args?: string[];
}

/**
 * One redis-server on 127.0.0.1 and a free port, in its own temp dir, for a test: no persistence unless `args` asks
 * for it; stop() ends it (bounded) and removes the dir.
 */
export class RedisTestServer {
  private constructor(
    readonly port: number,
    readonly process: ManagedProcess,
    private readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisTestServer> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-test-'));
    const port = await freePort();
    const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    args.push(...(options.tls ? ['--port', '0', '--tls-port', `${port}`] : ['--port', `${port}`]));
    if (options.tls) {
      const { cert, key, ca } = options.tls;
      args.push('--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca, '--tls-auth-clients', 'no');
    }
    if (options.password !== undefined) {
      args.push('--requirepass', options.password, '--masterauth', options.password);
    }
    if (options.replicaOf) {
      args.push('--replicaof', options.replicaOf.host, `${options.replicaOf.port}`);
    }
    args.push(...(options.args ?? []));
    const process = await ManagedProcess.start('redis-server', args, { name: `redis-server ${port}`, cwd: dir });
    const server = new RedisTestServer(port, process, dir, options);
    try {
      const client = server.client({ lazyConnect: true });
      try {
        await waitFor(async () => ((await client.ping()) === 'PONG' ? true : undefined), {
          description: `redis-server on ${port} (${process.logs().slice(-500)})`,
          timeoutMs: 10_000,
          intervalMs: 100,
        });
      } finally {
        client.disconnect();
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** `redis://127.0.0.1:<port>` or `rediss://…`, without the password. */
  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  /** A client with the server's password and CA; the caller disconnects it. */
  client(extra: RedisOptions = {}): Redis {
    return new Redis({
      host: '127.0.0.1',
      port: this.port,
      password: this.options.password,
      tls: this.options.tls ? { ca: this.options.tls.caPem } : undefined,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
      ...extra,
    });
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 5_000);
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface TlsFiles {
  dir: string;
  ca: string;
  caPem: string;
  cert: string;
  key: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it, made with openssl. */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=tracker test CA'],
    ...['-keyout', at('ca.key'), '-out', at('ca.crt')],
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('redis.key'),
    '-out',
    at('redis.csr'),
  );
  await writeFile(at('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    at('redis.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('san.cnf'),
    '-out',
    at('redis.crt'),
  );
  return {
    dir,
    ca: at('ca.crt'),
    caPem: await readFile(at('ca.crt'), 'utf8'),
    cert: at('redis.crt'),
    key: at('redis.key'),
  };
}
