import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import type { TrackerConfig } from 'src/config/tracker.config';

export type RedisClient = Redis | Cluster;

/** The shared Redis (or Redis Cluster) client, and dedicated subscriber connections for pub/sub. */
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: RedisClient;
  private readonly extraClients: RedisClient[] = [];

  constructor(private readonly config: TrackerConfig) {
    this.client = this.connect('main');
  }

  /** A subscriber blocks its connection, so it gets one of its own. */
  createSubscriber(): RedisClient {
    const subscriber = this.connect('subscriber');
    this.extraClients.push(subscriber);
    return subscriber;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Last of all: the final accounting flush runs before (beforeApplicationShutdown) and needs Redis. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.client, ...this.extraClients].map((client) => client.quit().catch(() => client.disconnect())),
    );
  }

  private connect(role: string): RedisClient {
    const { redis } = this.config;
    // Autopipelining sends every command issued in one turn of the event loop in one write: a syscall per announce
    // saved, the largest single cost of the Redis store on this project's 2-core box (see scripts/bench). ioredis 6
    // drops the command name of a callBuffer() it autopipelines, so the commands we send that way stay out of it.
    const pipelining = {
      enableAutoPipelining: role === 'main',
      autoPipeliningIgnoredCommands: ['HGETALL', 'HSCAN'],
    };
    const client: RedisClient =
      this.config.peerStore === 'redis-cluster'
        ? new Cluster(redis.clusterNodes, { ...pipelining, redisOptions: { enableAutoPipelining: false } })
        : new Redis(redis.url!, { maxRetriesPerRequest: 2, ...pipelining });
    // Without a listener ioredis prints every reconnect attempt as an unhandled error event.
    client.on('error', (error: Error) => this.logger.warn(`Redis ${role} connection: ${error.message}`));
    return client;
  }
}
