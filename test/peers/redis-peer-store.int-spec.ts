import { Redis } from 'ioredis';
import { RedisPeerStore } from 'src/peers/redis/redis-peer-store';
import { describePeerStoreContract } from 'test/peers/peer-store.contract';
import { deleteKeys, describeRedisStoreBehaviour, newPrefix } from 'test/peers/redis-store-behaviour';

const peerTtlSeconds = 2700;
const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });

afterAll(async () => {
  await client.quit();
});

// Every test gets its own key prefix on the shared Redis and deletes its keys after.
describePeerStoreContract(
  'redis',
  (rules) => {
    const prefix = newPrefix();
    const store = new RedisPeerStore(client, { peerTtlSeconds, keyPrefix: prefix, rules });
    return Promise.resolve({
      store,
      cleanup: async () => {
        await store.onModuleDestroy();
        await deleteKeys(client, prefix);
      },
    });
  },
  { peerTtlSeconds },
);

describeRedisStoreBehaviour('a single Redis', () => client);
