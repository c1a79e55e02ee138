import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { describeRedis } from 'src/config/redis.config';
import type { TrackerConfig } from 'src/config/tracker.config';
import { durabilityWarnings } from 'src/redis/durability-warnings.util';
import { redisClientPlan } from 'src/redis/redis-client-options.util';
import { redisErrorHint } from 'src/redis/redis-error-hint.util';

export type RedisClient = Redis | Cluster;

/** How long startup waits for Redis to answer when the error is one that waiting can fix (Redis still starting). */
const STARTUP_WAIT_MS = 20_000;
/** One PING's bound: a Cluster that cannot get its slots queues commands rather than failing them. */
const PING_TIMEOUT_MS = 2_000;

/** The shared Redis (Sentinel-managed master, or Cluster) client, and dedicated subscriber connections for pub/sub. */
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: RedisClient;
  private readonly extraClients: RedisClient[] = [];
  /** The main client's latest connection error: a failed PING alone often only says "max retries reached". */
  private lastError: Error | null = null;

  constructor(private readonly config: TrackerConfig) {
    this.client = this.connect('main');
  }

  /** A subscriber blocks its connection, so it gets one of its own, with the same credentials and TLS. */
  createSubscriber(): RedisClient {
    const subscriber = this.connect('subscriber');
    this.extraClients.push(subscriber);
    return subscriber;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /**
   * Before anything uses Redis: stop startup with the setting to fix when Redis refuses us (password, TLS), then
   * warn when Redis is set up to lose what the tracker acknowledged.
   */
  async onModuleInit(): Promise<void> {
    await this.waitUntilAnswering();
    await this.warnAboutDurability();
  }

  /** Last of all: the final accounting flush runs before (beforeApplicationShutdown) and needs Redis. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.client, ...this.extraClients].map((client) => client.quit().catch(() => client.disconnect())),
    );
  }

  private connect(role: 'main' | 'subscriber'): RedisClient {
    const plan = redisClientPlan(this.config.redis, role);
    const client: RedisClient =
      plan.kind === 'cluster'
        ? new Cluster(plan.nodes, plan.options)
        : plan.kind === 'sentinel'
          ? new Redis(plan.options)
          : new Redis(plan.url, plan.options);
    // Without a listener ioredis prints every reconnect attempt as an unhandled error event.
    client.on('error', (error: Error) => {
      this.logger.warn(`Redis ${role} connection: ${error.message}`);
      if (role === 'main') {
        this.lastError = error;
      }
    });
    if (role === 'main') {
      // A Cluster's per-node errors (e.g. NOAUTH) and a Sentinel's unusable answers come as their own events.
      client.on('node error', (error: Error) => (this.lastError = error));
      client.on('sentinelError', (error: Error) => (this.lastError = error));
    }
    return client;
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + STARTUP_WAIT_MS;
    for (;;) {
      let failure: Error;
      try {
        await pingWithin(this.client, PING_TIMEOUT_MS);
        return;
      } catch (error) {
        failure = error as Error;
      }
      const hints = [this.lastError, failure].filter((e): e is Error => e !== null).map(redisErrorHint);
      const hint = hints.find((h) => h.fatal) ?? hints[0];
      if (hint.fatal || Date.now() >= deadline) {
        throw new Error(`Cannot use Redis (${describeRedis(this.config.redis)}): ${hint.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Every node this client knows: a Cluster's masters and replicas (a replica may be promoted), else the one. */
  private async warnAboutDurability(): Promise<void> {
    const nodes = this.client instanceof Cluster ? this.client.nodes('all') : [this.client];
    for (const node of nodes) {
      const name =
        this.config.redis.topology === 'sentinel'
          ? `master ${this.config.redis.sentinelName}`
          : `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
      try {
        const [, maxmemoryPolicy] = await node.config('GET', 'maxmemory-policy');
        const [, appendonly] = await node.config('GET', 'appendonly');
        for (const warning of durabilityWarnings(name, { maxmemoryPolicy, appendonly })) {
          this.logger.warn(warning);
        }
      } catch (error) {
        // Managed Redis often disables or renames CONFIG: say what could not be checked, and carry on.
        this.logger.warn(
          `Redis ${name}: cannot read maxmemory-policy and appendonly (${(error as Error).message}); make sure ` +
            'they are noeviction and yes, or the tracker can lose acknowledged accounting (README, Redis)',
        );
      }
    }
  }
}

async function pingWithin(client: RedisClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ping = client.ping();
  ping.catch(() => undefined); // settles after the race is lost: not an unhandled rejection
  try {
    await Promise.race([
      ping,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to PING within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
