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
    const client: RedisClient =
      this.config.peerStore === 'redis-cluster'
        ? new Cluster(redis.clusterNodes, { redisOptions: { enableAutoPipelining: false } })
        : new Redis(redis.url!, { maxRetriesPerRequest: 2, enableAutoPipelining: false });
    // Without a listener ioredis prints every reconnect attempt as an unhandled error event.
    client.on('error', (error: Error) => this.logger.warn(`Redis ${role} connection: ${error.message}`));
    return client;
  }
}
