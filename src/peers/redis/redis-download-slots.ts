import { Cluster, type Redis } from 'ioredis';
import type { PeerAnnounce } from 'src/peers/peer-store.types';
import { recordState } from 'src/peers/redis/redis-peer.codec';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import type { RedisScripts } from 'src/peers/redis/redis-scripts';
import { TickBatch } from 'src/peers/redis/tick-batch';

const PEER_ID_BYTES = 20;
/** Users per script call on a single Redis, as announce-command.ts bounds its calls. */
const MAX_USERS_PER_CALL = 64;

type Arg = string | number | Buffer;

interface QueuedTake {
  key: string;
  args: Arg[];
  resolve: (answer: number) => void;
  reject: (error: unknown) => void;
}

/** before()'s answers: nothing to do afterwards (no slots, or not a leeching announce). */
export const SLOTS_UNUSED = -1;
/** The user's slots are full, but it already leeches this torrent: list it once the announce went through. */
export const SLOTS_FULL = 0;
/** The torrent was listed already: its time was refreshed. */
export const SLOT_HELD = 1;
/** A slot was taken for the torrent: give it back if the announce does not go through. */
export const SLOT_TAKEN = 2;
/** Refuse the announce: its slots are full and it would start a new leech. */
export const SLOTS_REFUSED = -2;

/**
 * Download slots on Redis (README: download slots). A user's torrents span Cluster slots, so the check cannot be part
 * of the swarm's announce script: the torrents a user leeches are a sorted set of their own (`d:<user id>`, no hash
 * tag), in which a script (download-slots.lua.ts) takes a slot atomically before the announce script runs, and which
 * is corrected after it: a refused announce gives its slot back, a leecher that completes or stops frees its torrent.
 * Users without download slots pay nothing; others a share of one script call per tick on a single Redis (the leeching
 * announces of a tick go together, as the announce script's do) or one call per leeching announce on a Cluster, a few
 * commands when a leech ends, and two reads of their own entries in the swarm when their slots are full.
 */
export class RedisDownloadSlots {
  private readonly batch = new TickBatch<QueuedTake>(MAX_USERS_PER_CALL, (takes) => this.sendBatch(takes));

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly ttlMs: number,
  ) {}

  /** Before the announce script: one of the constants above. */
  async before(a: PeerAnnounce): Promise<number> {
    const slots = a.downloadSlots;
    if (typeof slots !== 'number' || a.left === 0 || a.event === 'stopped') {
      return SLOTS_UNUSED;
    }
    const taken = await this.take(this.keys.leeching(a.userId), [
      Buffer.from(a.infoHash, 'hex'),
      a.now,
      a.now - this.ttlMs,
      slots,
      this.ttlMs * 2,
    ]);
    if (taken !== SLOTS_FULL) {
      return taken;
    }
    // Full: a re-announce of a torrent the user leeches already still passes (its slots were lowered, or it was not
    // listed while the user had no slots).
    return (await this.leeches(a)) ? SLOTS_FULL : SLOTS_REFUSED;
  }

  /**
   * After the announce script: `applied` false when it refused or failed; `wasLeecher`: the peer was a live leecher
   * before.
   */
  async after(a: PeerAnnounce, before: number, applied: boolean, wasLeecher: boolean): Promise<void> {
    if (before === SLOT_TAKEN && !applied) {
      await this.release(a);
    } else if (before === SLOTS_FULL && applied) {
      const key = this.keys.leeching(a.userId);
      await Promise.all([
        this.client.zadd(key, a.now, Buffer.from(a.infoHash, 'hex')),
        this.client.pexpire(key, this.ttlMs * 2),
      ]);
    } else if (
      typeof a.downloadSlots === 'number' &&
      applied &&
      wasLeecher &&
      (a.event === 'stopped' || a.left === 0)
    ) {
      // Another client of the user may still leech the torrent: then it keeps its slot.
      if (!(await this.leeches(a))) {
        await this.release(a);
      }
    }
  }

  /** The slot script's answer for one user: batched per tick on a single Redis, one call per user on a Cluster. */
  private take(key: string, args: Arg[]): Promise<number> {
    if (this.client instanceof Cluster) {
      return this.scripts.run.peerStoreDownloadSlot(key, ...args).then(([answer]) => answer);
    }
    return new Promise((resolve, reject) => this.batch.add({ key, args, resolve, reject }));
  }

  private sendBatch(takes: QueuedTake[]): void {
    this.scripts.run
      .peerStoreDownloadSlots(takes.length, ...takes.map(({ key }) => key), ...takes.flatMap(({ args }) => args))
      .then(
        (answers) => takes.forEach(({ resolve }, i) => resolve(answers[i])),
        (error: unknown) => takes.forEach(({ reject }) => reject(error)),
      );
  }

  /** The user's peers were removed: it leeches nothing. */
  async drop(userId: number): Promise<void> {
    await this.client.del(this.keys.leeching(userId));
  }

  /**
   * Whether the user has a live leecher in the announce's swarm: its peer ids there (the swarm's user peers hash,
   * which the announce script keeps), then their records. Two reads of the user's own entries, whatever the swarm's
   * size.
   */
  private async leeches(a: PeerAnnounce): Promise<boolean> {
    const keys = this.keys.swarm(a.infoHash);
    const user = Buffer.allocUnsafe(4);
    user.writeUInt32BE(a.userId, 0);
    const ids = await this.client.hgetBuffer(keys.userPeers, user);
    if (!ids || ids.length < PEER_ID_BYTES) {
      return false;
    }
    const fields: Buffer[] = [];
    for (let at = 0; at + PEER_ID_BYTES <= ids.length; at += PEER_ID_BYTES) {
      fields.push(Buffer.concat([user, ids.subarray(at, at + PEER_ID_BYTES)]));
    }
    const cutoff = a.now - this.ttlMs;
    return (await this.client.hmgetBuffer(keys.peers, ...fields)).some((record) => {
      if (record === null) {
        return false;
      }
      const peer = recordState(record);
      return !peer.seeder && peer.lastAnnounce >= cutoff;
    });
  }

  private async release(a: PeerAnnounce): Promise<void> {
    await this.client.zrem(this.keys.leeching(a.userId), Buffer.from(a.infoHash, 'hex'));
  }
}
