import { loadRedisConfig } from 'src/config/redis.config';
import { redisClientPlan } from 'src/redis/redis-client-options.util';

describe('Redis client options', () => {
  it('gives a Cluster node and a Cluster subscriber the credentials and TLS through redisOptions', () => {
    const redis = loadRedisConfig({
      REDIS_CLUSTER_NODES: 'h:1',
      REDIS_PASSWORD: 'p',
      REDIS_USERNAME: 'u',
      REDIS_TLS: 'true',
    });
    for (const role of ['main', 'subscriber'] as const) {
      const plan = redisClientPlan(redis, role);
      expect(plan.kind).toBe('cluster');
      expect(plan.kind === 'cluster' && plan.options.redisOptions).toMatchObject({
        username: 'u',
        password: 'p',
        tls: {},
      });
    }
  });

  it('connects a single Redis by its URL, adding the password and the CA', () => {
    const redis = { ...loadRedisConfig({ REDIS_URL: 'rediss://h:1', REDIS_PASSWORD: 'p' }), tls: { ca: 'PEM' } };
    const plan = redisClientPlan(redis, 'subscriber');
    expect(plan).toMatchObject({ kind: 'single', url: 'rediss://h:1', options: { password: 'p', tls: { ca: 'PEM' } } });
    expect(plan.options).toMatchObject({ enableAutoPipelining: false });
  });

  it('asks the sentinels for the master, authenticating to each side with its own password', () => {
    const redis = loadRedisConfig({
      REDIS_SENTINELS: 'h:26379',
      REDIS_SENTINEL_NAME: 'tracker',
      REDIS_SENTINEL_PASSWORD: 'sp',
      REDIS_PASSWORD: 'dp',
    });
    expect(redisClientPlan(redis, 'main')).toMatchObject({
      kind: 'sentinel',
      options: { sentinels: [{ host: 'h', port: 26379 }], name: 'tracker', sentinelPassword: 'sp', password: 'dp' },
    });
  });
});
