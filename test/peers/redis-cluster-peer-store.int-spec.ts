import type { Cluster } from 'ioredis';
import { RedisPeerStore } from 'src/peers/redis/redis-peer-store';
import { describePeerStoreContract } from 'test/peers/peer-store.contract';
import { deleteKeys, describeRedisStoreBehaviour, newPrefix } from 'test/peers/redis-store-behaviour';
import { RedisTestCluster } from 'test/peers/redis-test-cluster';

const peerTtlSeconds = 2700;
let cluster: RedisTestCluster | undefined;
let client: Cluster | undefined;

function clusterClient(): Cluster {
  if (!client) {
    throw new Error('the Redis Cluster did not start');
  }
  return client;
}

// A 3-master cluster of our own on free loopback ports, so the suite needs only redis-server installed.
beforeAll(async () => {
  cluster = await RedisTestCluster.start(3);
  client = cluster.client();
  await client.ping();
}, 60_000);

afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
}, 30_000);

describePeerStoreContract(
  'redis cluster',
  (rules) => {
    const prefix = newPrefix();
    const store = new RedisPeerStore(clusterClient(), { peerTtlSeconds, keyPrefix: prefix, rules });
    return Promise.resolve({
      store,
      cleanup: async () => {
        await store.onModuleDestroy();
        await deleteKeys(clusterClient(), prefix);
      },
    });
  },
  { peerTtlSeconds },
);

describeRedisStoreBehaviour('a Redis Cluster', clusterClient);
