import { Redis, type Cluster } from 'ioredis';
import { RedisAnnounceLog } from 'src/diagnostics/redis-announce-log';
import { deleteKeys, newPrefix } from 'test/peers/redis-store-behaviour';
import { REDIS_URL, stopTestCluster, testCluster } from 'test/support/peer-store-envs';

afterAll(async () => {
  await stopTestCluster();
});

/** Many users' entries written in one flush: one script call on a single Redis, one per user on a Cluster. */
describe.each(['redis', 'redis cluster'])('the Redis announce log on %s', (name) => {
  let client: Redis | Cluster;
  const prefix = newPrefix();

  beforeAll(async () => {
    client = name === 'redis' ? new Redis(REDIS_URL, { enableAutoPipelining: true }) : (await testCluster()).client();
  });

  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it("keeps each user's last entries, latest first, across flushes, and expires a quiet user's list", async () => {
    const log = new RedisAnnounceLog(client, prefix, 3, 60_000);
    for (let user = 1; user <= 700; user++) {
      log.record(user, `a${user}`);
      log.record(user, `b${user}`);
    }
    await log.flush();
    for (let user = 1; user <= 700; user++) {
      log.record(user, `c${user}`);
      log.record(user, `d${user}`);
    }
    expect(await log.read(1)).toEqual(['d1', 'c1', 'b1']);
    expect(await log.read(700)).toEqual(['d700', 'c700', 'b700']);
    expect(await log.read(701)).toEqual([]);
    const ttl = await client.pttl(`${prefix}announces:350`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
