import type { Cluster, Redis } from 'ioredis';
import type { UserTorrents } from 'src/peers/peer-store.types';
import { recordState } from 'src/peers/redis/redis-peer.codec';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import { inChunks } from 'src/peers/redis/redis-scan.util';

/** A user's peers in a swarm: their hash fields and records. */
export type UserPeers = Array<[field: Buffer, record: Buffer]>;

/**
 * Which swarms a user may have peers in, for the admin API and for removing a user: a sorted set of binary info
 * hashes scored by when the entry was written. It lives in another slot than the swarms, so the announce script
 * cannot write it: the store adds the entry after the script, only when the script reports a new peer or that the
 * peer's entry is due for its refresh (first announce in each 8-TTL period). Stopped and expired peers leave their
 * entry behind: the index only says where to look, readers check the swarm itself (HSCAN for the user's 4-byte
 * prefix), and entries older than any live peer's can be (8 + 2 TTL) are pruned.
 */
export class RedisUserIndex {
  private readonly keepMs: number;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {
    this.keepMs = ttlMs * 10;
  }

  /** Lists these swarms (info hash → when) for the user. */
  async add(userId: number, swarms: Map<string, number>): Promise<void> {
    const key = this.keys.user(userId);
    const members: (number | Buffer)[] = [];
    for (const [infoHash, now] of swarms) {
      members.push(now, Buffer.from(infoHash, 'hex'));
    }
    // Two commands rather than a pipeline of their own: the connection's autopipelining sends them with the other
    // commands of this turn of the event loop, where an explicit pipeline costs an object and a socket write.
    await Promise.all([this.client.zadd(key, ...members), this.client.pexpire(key, this.keepMs)]);
  }

  /** Swarms the user may have peers in at `now` (older entries are pruned), or every listed one when `now` is null. */
  async swarms(userId: number, now: number | null): Promise<string[]> {
    const key = this.keys.user(userId);
    let members: Buffer[];
    if (now === null) {
      members = await this.client.zrangeBuffer(key, 0, '-1');
    } else {
      const oldest = now - this.keepMs;
      await this.client.zremrangebyscore(key, '-inf', `(${oldest}`);
      members = await this.client.zrangebyscoreBuffer(key, oldest, '+inf');
    }
    return members.map((m) => m.toString('hex'));
  }

  /** The user's peers in one swarm, live or not: an HSCAN for the 4-byte user id prefix of the fields. */
  async peersIn(infoHash: string, userId: number): Promise<UserPeers> {
    const key = this.keys.swarm(infoHash).peers;
    const pattern = userPrefixPattern(userId);
    const found: UserPeers = [];
    let cursor = '0';
    do {
      const [next, pairs] = (await this.client.callBuffer('HSCAN', key, cursor, 'MATCH', pattern, 'COUNT', 1000)) as [
        Buffer,
        Buffer[],
      ];
      cursor = next.toString();
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        found.push([pairs[i], pairs[i + 1]]);
      }
    } while (cursor !== '0');
    return found;
  }

  async torrents(userId: number, now: number): Promise<UserTorrents> {
    const cutoff = now - this.ttlMs;
    const seeding: string[] = [];
    const leeching: string[] = [];
    await inChunks(await this.swarms(userId, now), 500, async (infoHash) => {
      const alive = (await this.peersIn(infoHash, userId))
        .map(([, record]) => recordState(record))
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

/** MATCH pattern for fields starting with the user's 4 id bytes, glob metacharacters escaped. */
function userPrefixPattern(userId: number): Buffer {
  const id = Buffer.allocUnsafe(4);
  id.writeUInt32BE(userId, 0);
  const bytes: number[] = [];
  for (const b of id) {
    if (b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5d || b === 0x5c) {
      bytes.push(0x5c); // * ? [ ] \
    }
    bytes.push(b);
  }
  bytes.push(0x2a);
  return Buffer.from(bytes);
}
