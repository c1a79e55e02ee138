import { keySlot } from 'src/peers/redis/key-slot.util';
import { Cluster, type Redis } from 'ioredis';
import type { SwarmCounts } from 'src/peers/peer-store.types';
import type { RedisKeys } from 'src/peers/redis/redis-keys';

type CountsPipeline = {
  peerStoreSwarmCounts(...args: (string | number)[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
};

/**
 * Seeders and leechers of many swarms in one round trip: the swarm-counts script of every swarm in one pipeline.
 * A Cluster pipeline must stay on one node, so there the swarms are grouped by the master that serves their slot
 * and each node gets its own pipeline, all sent at once.
 */
export async function swarmCountsInOneTrip(
  client: Redis | Cluster,
  keys: RedisKeys,
  infoHashes: readonly string[],
  ttlMs: number,
): Promise<Map<string, SwarmCounts>> {
  const groups = new Map<string, string[]>();
  for (const infoHash of infoHashes) {
    const node = client instanceof Cluster ? nodeOf(client, keys.swarm(infoHash).seeders) : '';
    const group = groups.get(node);
    if (group) {
      group.push(infoHash);
    } else {
      groups.set(node, [infoHash]);
    }
  }
  const result = new Map<string, SwarmCounts>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const pipeline = client.pipeline() as unknown as CountsPipeline;
      for (const infoHash of group) {
        const swarm = keys.swarm(infoHash);
        pipeline.peerStoreSwarmCounts(swarm.seeders, swarm.leechers, ttlMs);
      }
      const replies = (await pipeline.exec()) ?? [];
      group.forEach((infoHash, i) => {
        const [error, reply] = replies[i] ?? [new Error('no reply'), null];
        if (error) {
          throw error;
        }
        const [complete, incomplete] = reply as [number, number];
        if (complete + incomplete > 0) {
          result.set(infoHash, { complete, incomplete });
        }
      });
    }),
  );
  return result;
}

/** The master serving the key's slot, as the client's slot table knows it (refreshed by ioredis on MOVED). */
function nodeOf(cluster: Cluster, key: string): string {
  const slot = keySlot(key);
  return (cluster.slots[slot] as string[] | undefined)?.[0] ?? `slot:${slot}`;
}
