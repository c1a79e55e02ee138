import { Cluster, Redis } from 'ioredis';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from 'test/support/managed-process';
import { waitFor } from 'test/support/wait-for';

const SLOTS = 16384;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port below the ephemeral range whose cluster bus port (+10000) is free too. */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (!taken.has(port) && (await portIsFree(port)) && (await portIsFree(port + 10000))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

/**
 * A throwaway Redis Cluster of `masters` nodes on loopback, for integration tests: redis-server processes in a temp
 * dir, slots assigned and nodes introduced with plain commands (no redis-cli), every wait bounded.
 */
export class RedisTestCluster {
  private constructor(
    readonly ports: number[],
    private readonly processes: ManagedProcess[],
    private readonly dir: string,
    private readonly password?: string,
  ) {}

  /** `password`: every node gets it as requirepass and masterauth. */
  static async start(masters = 3, options: { password?: string } = {}): Promise<RedisTestCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
    const taken = new Set<number>();
    const ports: number[] = [];
    const processes: ManagedProcess[] = [];
    const cluster = new RedisTestCluster(ports, processes, dir, options.password);
    const auth =
      options.password === undefined ? [] : ['--requirepass', options.password, '--masterauth', options.password];
    try {
      for (let i = 0; i < masters; i++) {
        const port = await freeNodePort(taken);
        ports.push(port);
        processes.push(
          await ManagedProcess.start(
            'redis-server',
            [
              '--port',
              `${port}`,
              '--bind',
              '127.0.0.1',
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              `nodes-${port}.conf`,
              '--save',
              '',
              '--appendonly',
              'no',
              '--dir',
              dir,
              ...auth,
            ],
            { name: `redis cluster node ${port}`, cwd: dir },
          ),
        );
      }
      await cluster.form();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /**
   * A Cluster client with autopipelining on, as the tracker's own (RedisConnection): it changes how ioredis routes
   * commands, and a route that only fails with it once stopped every flush. The caller quits it.
   */
  client(): Cluster {
    return new Cluster(
      this.ports.map((port) => ({ host: '127.0.0.1', port })),
      {
        enableAutoPipelining: true,
        autoPipeliningIgnoredCommands: ['HGETALL', 'HSCAN'],
        redisOptions: { maxRetriesPerRequest: 1, enableAutoPipelining: false, password: this.password },
      },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGTERM', 5000)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private async form(): Promise<void> {
    const nodes = this.ports.map(
      (port) =>
        new Redis({ host: '127.0.0.1', port, password: this.password, lazyConnect: true, retryStrategy: () => 200 }),
    );
    try {
      await Promise.all(
        nodes.map((node, i) =>
          waitFor(async () => ((await node.ping()) === 'PONG' ? true : undefined), {
            description: `redis-server on ${this.ports[i]} (${this.processes[i].logs().slice(-500)})`,
            timeoutMs: 10_000,
            intervalMs: 100,
          }),
        ),
      );
      const per = Math.ceil(SLOTS / nodes.length);
      await Promise.all(
        nodes.map((node, i) => {
          const slots: number[] = [];
          for (let s = i * per; s < Math.min(SLOTS, (i + 1) * per); s++) {
            slots.push(s);
          }
          return node.call('CLUSTER', 'ADDSLOTS', ...slots);
        }),
      );
      for (const port of this.ports.slice(1)) {
        await nodes[0].call('CLUSTER', 'MEET', '127.0.0.1', port);
      }
      await waitFor(
        async () => {
          const infos = await Promise.all(nodes.map((n) => n.call('CLUSTER', 'INFO') as Promise<string>));
          const ready = infos.every(
            (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes.length}`),
          );
          return ready ? true : undefined;
        },
        { description: 'the Redis Cluster to agree on its slots', timeoutMs: 20_000, intervalMs: 100 },
      );
    } finally {
      nodes.forEach((node) => node.disconnect());
    }
  }
}
