import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { HostPort } from 'src/config/env-parsers.util';
import type { RedisConfig } from 'src/config/redis.config';

/** What `new Redis(...)` or `new Cluster(...)` is called with, for one connection of the tracker. */
export type RedisClientPlan =
  | { kind: 'single'; url: string; options: RedisOptions }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: HostPort[]; options: ClusterOptions };

/**
 * The ioredis options of the main connection (`main`) or of a pub/sub one (`subscriber`), from the validated config.
 * Every connection gets the same credentials and TLS: the subscriber of the invalidation bus too, and on a Cluster
 * every node through `redisOptions`.
 */
export function redisClientPlan(redis: RedisConfig, role: 'main' | 'subscriber'): RedisClientPlan {
  // Autopipelining sends every command issued in one turn of the event loop in one write: a syscall per announce
  // saved, the largest single cost of the Redis store on this project's 2-core box (see scripts/bench). ioredis 6
  // drops the command name of a callBuffer() it autopipelines, so the commands we send that way stay out of it.
  const pipelining = {
    enableAutoPipelining: role === 'main',
    autoPipeliningIgnoredCommands: ['HGETALL', 'HSCAN'],
  };
  const auth: RedisOptions = {};
  if (redis.username !== undefined) {
    auth.username = redis.username;
  }
  if (redis.password !== undefined) {
    auth.password = redis.password;
  }
  const tls: RedisOptions = redis.tls ? { tls: { ...redis.tls } } : {};

  switch (redis.topology) {
    case 'cluster':
      return {
        kind: 'cluster',
        nodes: redis.clusterNodes,
        options: { ...pipelining, redisOptions: { enableAutoPipelining: false, ...auth, ...tls } },
      };
    case 'sentinel':
      return {
        kind: 'sentinel',
        options: {
          maxRetriesPerRequest: 2,
          ...pipelining,
          ...auth,
          sentinels: redis.sentinels,
          name: redis.sentinelName,
          ...(redis.sentinelPassword === undefined ? {} : { sentinelPassword: redis.sentinelPassword }),
          // Subscribes to the sentinels' +switch-master, so a failover is noticed at once, not at the next error.
          failoverDetector: true,
        },
      };
    case 'single':
      // A rediss:// URL turns TLS on by itself; `tls` adds the CA.
      return { kind: 'single', url: redis.url!, options: { maxRetriesPerRequest: 2, ...pipelining, ...auth, ...tls } };
    case 'none':
      throw new Error('No Redis is configured');
  }
}
