import { Cluster, Redis } from 'ioredis';
import { slotGroups } from 'src/peers/redis/slot-groups.util';

describe('slotGroups', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('chunks any mix of swarms on a single Redis', () => {
    const redis = new Redis({ lazyConnect: true });
    expect(slotGroups(redis, items, 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(slotGroups(redis, [], 2)).toEqual([]);
    redis.disconnect();
  });

  it('keeps every swarm on its own on a Cluster, where swarms live in different slots', () => {
    const cluster = new Cluster([], { lazyConnect: true });
    expect(slotGroups(cluster, items, 2)).toEqual([['a'], ['b'], ['c'], ['d'], ['e']]);
    cluster.disconnect();
  });
});
