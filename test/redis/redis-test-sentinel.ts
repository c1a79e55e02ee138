import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { waitFor } from 'test/support/wait-for';

export interface SentinelOptions {
  /** The master group's name (REDIS_SENTINEL_NAME). */
  name: string;
  master: { host: string; port: number };
  /** How long the master must be silent before it is declared down. */
  downAfterMs: number;
}

/**
 * One real redis-sentinel on 127.0.0.1 and a free port, monitoring one master with a quorum of 1 (a test has one
 * sentinel; production wants three). Its config file lives in a temp dir, since Sentinel rewrites it.
 */
export class RedisTestSentinel {
  private constructor(
    readonly port: number,
    readonly process: ManagedProcess,
    private readonly dir: string,
    private readonly name: string,
  ) {}

  static async start(options: SentinelOptions): Promise<RedisTestSentinel> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
    const port = await freePort();
    const { name, master } = options;
    await writeFile(
      join(dir, 'sentinel.conf'),
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} ${master.host} ${master.port} 1`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs}`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const process = await ManagedProcess.start('redis-sentinel', [join(dir, 'sentinel.conf')], {
      name: `redis-sentinel ${port}`,
      cwd: dir,
    });
    const sentinel = new RedisTestSentinel(port, process, dir, name);
    try {
      await sentinel.query(async (client) =>
        waitFor(async () => ((await client.ping()) === 'PONG' ? true : undefined), {
          description: `redis-sentinel on ${port} (${process.logs().slice(-500)})`,
          timeoutMs: 10_000,
          intervalMs: 100,
        }),
      );
    } catch (error) {
      await sentinel.stop();
      throw error;
    }
    return sentinel;
  }

  /** Waits until the sentinel knows `count` healthy replicas of the master, so that it could fail over. */
  async waitForReplicas(count: number): Promise<void> {
    await this.query((client) =>
      waitFor(
        async () => {
          const replicas = (await client.call('SENTINEL', 'REPLICAS', this.name)) as string[][];
          const healthy = replicas.filter((fields) => {
            const info = new Map<string, string>();
            for (let i = 0; i + 1 < fields.length; i += 2) {
              info.set(fields[i], fields[i + 1]);
            }
            return info.get('flags') === 'slave' && info.get('master-link-status') === 'ok';
          });
          return healthy.length >= count ? true : undefined;
        },
        { description: `the sentinel to see ${count} healthy replica(s)`, timeoutMs: 20_000, intervalMs: 200 },
      ),
    );
  }

  /** The port of the master the sentinel currently hands out. */
  async masterPort(): Promise<number> {
    return this.query(async (client) => {
      const [, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as string[];
      return Number(port);
    });
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 5_000);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async query<T>(task: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis({ host: '127.0.0.1', port: this.port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined); // retried until the task's own bound
    try {
      return await task(client);
    } finally {
      client.disconnect();
    }
  }
}
