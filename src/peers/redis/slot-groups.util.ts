import { Cluster, type Redis } from 'ioredis';

/**
 * Splits swarms into groups that one multi-key command may touch. A single Redis takes any mix of keys, so the
 * groups are chunks of at most `max`; a Cluster refuses keys of different slots in one command (CROSSSLOT), and
 * swarms rarely share a slot (16,384 of them), so there every swarm is a group of its own.
 * The flush path uses it to claim and delete hundreds of swarms' ledgers in a few commands on a single Redis: one
 * command per swarm cost Node more CPU than the announces it accounted for.
 */
export function slotGroups<T>(client: Redis | Cluster, items: readonly T[], max: number): T[][] {
  const size = client instanceof Cluster ? 1 : max;
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    groups.push(items.slice(i, i + size));
  }
  return groups;
}
