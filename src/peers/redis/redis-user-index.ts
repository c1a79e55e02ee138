import type { Cluster, Redis } from 'ioredis';
import type { UserTorrents } from 'src/peers/peer-store.types';
import { encodePeerField, recordState } from 'src/peers/redis/redis-peer.codec';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import { inChunks } from 'src/peers/redis/redis-scan.util';

/**
 * Which swarms a user has peers in, for the admin API and for removing a user. A user's key lives in another slot
 * than the swarms, so the announce script cannot write it: the store writes it after the script, only when the
 * script reports a change (new peer, stopped peer) or that the entry is due for its periodic refresh (a peer renews
 * its entry in the first announce of each 8-TTL period). So the index only says where to look: readers check each
 * entry against the swarm's own record (alive? seeding?), and entries older than any live peer's can be are pruned.
 */
export class RedisUserIndex {
  /** Refresh period (8 TTL) plus the longest a live peer can go without crossing it (2 TTL). */
  private readonly keepMs: number;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {
    this.keepMs = ttlMs * 10;
  }

  async add(userId: number, infoHash: string, peerId: Buffer, now: number): Promise<void> {
    const key = this.keys.user(userId);
    await this.client.pipeline().zadd(key, now, entryOf(infoHash, peerId)).pexpire(key, this.keepMs).exec();
  }

  async remove(userId: number, infoHash: string, peerId: Buffer): Promise<void> {
    await this.client.zrem(this.keys.user(userId), entryOf(infoHash, peerId));
  }

  /**
   * The user's peer ids per swarm, as far as the index knows (not checked against the swarms): all of them when `now`
   * is null, else those that may still be alive at `now` (older entries are pruned).
   */
  async entries(userId: number, now: number | null): Promise<Map<string, Buffer[]>> {
    const key = this.keys.user(userId);
    let members: Buffer[];
    if (now === null) {
      members = await this.client.zrangeBuffer(key, 0, '-1');
    } else {
      const oldest = now - this.keepMs;
      await this.client.zremrangebyscore(key, '-inf', `(${oldest}`);
      members = await this.client.zrangebyscoreBuffer(key, oldest, '+inf');
    }
    const bySwarm = new Map<string, Buffer[]>();
    for (const member of members) {
      const infoHash = member.toString('latin1', 0, 40);
      const peerIds = bySwarm.get(infoHash) ?? [];
      peerIds.push(member.subarray(40));
      bySwarm.set(infoHash, peerIds);
    }
    return bySwarm;
  }

  async torrents(userId: number, now: number): Promise<UserTorrents> {
    const cutoff = now - this.ttlMs;
    const seeding: string[] = [];
    const leeching: string[] = [];
    const bySwarm = [...(await this.entries(userId, now))];
    await inChunks(bySwarm, 500, async ([infoHash, peerIds]) => {
      const fields = peerIds.map((peerId) => encodePeerField(userId, peerId));
      const records = await this.client.hmgetBuffer(this.keys.swarm(infoHash).peers, ...fields);
      const alive = records
        .filter((r): r is Buffer => r !== null)
        .map(recordState)
        .filter((r) => r.lastAnnounce >= cutoff);
      if (alive.some((r) => r.seeder)) {
        seeding.push(infoHash);
      }
      if (alive.some((r) => !r.seeder)) {
        leeching.push(infoHash);
      }
    });
    return { seeding: seeding.sort(), leeching: leeching.sort() };
  }

  async drop(userId: number): Promise<void> {
    await this.client.del(this.keys.user(userId));
  }
}

function entryOf(infoHash: string, peerId: Buffer): Buffer {
  return Buffer.concat([Buffer.from(infoHash, 'latin1'), peerId]);
}
