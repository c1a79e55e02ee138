import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisPeerStore } from 'src/peers/redis/redis-peer-store';
import { describePeerStoreContract } from 'test/peers/peer-store.contract';

const peerTtlSeconds = 2700;
const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });

afterAll(async () => {
  await client.quit();
});

/** Every test gets its own key prefix on the shared Redis, and deletes its keys after. */
async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) {
      await client.del(...keys);
    }
  } while (cursor !== '0');
}

describePeerStoreContract(
  'redis',
  () => {
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    const store = new RedisPeerStore(client, { peerTtlSeconds, keyPrefix: prefix });
    return Promise.resolve({ store, cleanup: () => deleteKeys(prefix) });
  },
  { peerTtlSeconds },
);
