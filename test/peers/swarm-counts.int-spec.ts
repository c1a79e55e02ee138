import { Redis, type Cluster } from 'ioredis';
import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import type { PeerStore } from 'src/peers/peer-store';
import { RedisPeerStore } from 'src/peers/redis/redis-peer-store';
import { announce, newInfoHash } from 'test/peers/contract/contract-fixtures';
import { deleteKeys, newPrefix } from 'test/peers/redis-store-behaviour';
import { RedisTestCluster } from 'test/peers/redis-test-cluster';

const peerTtlSeconds = 2700;
let cluster: RedisTestCluster | undefined;
let clusterClient: Cluster | undefined;
let single: Redis | undefined;

beforeAll(async () => {
  single = new Redis('redis://127.0.0.1:6379');
  cluster = await RedisTestCluster.start(3);
  clusterClient = cluster.client();
  await clusterClient.ping();
}, 60_000);

afterAll(async () => {
  single?.disconnect();
  await clusterClient?.quit();
  await cluster?.stop();
}, 30_000);

/** Swarms spread over many slots (and so every node of the cluster), some seeded, some leeched, some empty. */
async function fill(store: PeerStore): Promise<string[]> {
  const now = Date.now();
  const infoHashes = Array.from({ length: 60 }, () => newInfoHash());
  for (const [i, infoHash] of infoHashes.entries()) {
    for (let user = 1; user <= i % 4; user++) {
      await announce(store, { infoHash, userId: user, now, left: user % 2 === 0 ? 0 : 10, event: 'started' });
    }
  }
  return infoHashes;
}

describe.each([
  ['memory', () => ({ store: new MemoryPeerStore({ peerTtlSeconds }), cleanup: () => Promise.resolve() })],
  [
    'redis',
    () => {
      const prefix = newPrefix();
      return {
        store: new RedisPeerStore(single!, { peerTtlSeconds, keyPrefix: prefix }),
        cleanup: () => deleteKeys(single!, prefix),
      };
    },
  ],
  [
    'redis cluster',
    () => {
      const prefix = newPrefix();
      return {
        store: new RedisPeerStore(clusterClient!, { peerTtlSeconds, keyPrefix: prefix }),
        cleanup: () => deleteKeys(clusterClient!, prefix),
      };
    },
  ],
] as const)('PeerStore.swarmCounts on the %s store', (_name, make) => {
  it('answers what scrape answers, for many swarms at once', async () => {
    const { store, cleanup } = make();
    try {
      const infoHashes = await fill(store);
      const counts = await store.swarmCounts(infoHashes);
      expect(counts).toEqual(await store.scrape(infoHashes));
      expect(counts.size).toBe(45);
      expect(counts.get(infoHashes[3])).toEqual({ complete: 1, incomplete: 2 });
    } finally {
      await cleanup();
    }
  });
});
