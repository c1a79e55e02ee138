import { Cluster, type Redis } from 'ioredis';
import type { PeerAnnounce } from 'src/peers/peer-store.types';
import { recordState } from 'src/peers/redis/redis-peer.codec';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import type { RedisScripts } from 'src/peers/redis/redis-scripts';

const PEER_ID_BYTES = 20;
/** The slot script's slots for a refresh (download-slots.lua.ts). */
const REFRESH_ONLY = -1;
/** The slot script's argument for one user: info hash and four doubles (download-slots.lua.ts). */
const SLOT_ARGS_BYTES = 20 + 4 * 8;
const ignore = (): void => undefined;

/** No slots to check: the user has none, or the announce does not leech (a seeder's, or stopped). */
export const SLOTS_UNUSED = -1;
/** The announce script checks: it lets a live leecher through and turns a new leech back (VERDICT_NEEDS_SLOT). */
export const SLOTS_CHECKED_IN_SCRIPT = -3;
/** take()'s answers. The user's slots are full, but it already leeches this torrent: list it once applied. */
export const SLOTS_FULL = 0;
/** The torrent was listed already: its time was refreshed. */
export const SLOT_HELD = 1;
/** A slot was taken for the torrent: give it back if the announce does not go through. */
export const SLOT_TAKEN = 2;
/** Refuse the announce: its slots are full and it would start a new leech. */
export const SLOTS_REFUSED = -2;

/**
 * A live leecher's entry is rewritten at its first announce of each period of this length (periods counted from
 * the epoch), not at every announce: each access to the user's hash, large for a user who leeches much, costs Redis
 * a few µs. An entry is then at most a period older than the leech's last announce, so entries count as live for a
 * period beyond PEER_TTL: a leech that falls silent frees its slot up to a period after its peer leaves the swarm.
 * A minute, or an eighth of a short TTL.
 */
export function slotRefreshMs(ttlMs: number): number {
  return Math.min(60_000, Math.floor(ttlMs / 8));
}

/**
 * Download slots on Redis (README: download slots). The torrents a user leeches are a hash of their own
 * (`l:<user id>`, no hash tag, info hash → a leeching announce of it at most a refresh period old: slotRefreshMs).
 * - On a single Redis the swarm's announce script keeps it (its 7th key, announce.lua.ts): it takes a slot for a new
 *   leech, lists a live leecher's torrent, and frees one whose leech ended, in the announce's own atomic step. Here
 *   only keptByScript() says so.
 * - On a Cluster the user's key sits in another slot than the swarm, so this class keeps it, in two phases around the
 *   announce script. The script lets a peer that is a live leecher through, and the slot script
 *   (download-slots.lua.ts) then refreshes its torrent's entry once a refresh period, unawaited: most leeching
 *   announces wait for nothing more. A peer that would start a leech is turned back by the script; the slot script
 *   takes a slot atomically, and the announce goes again. A refused announce gives its slot back, a leecher that
 *   completes or stops frees its torrent. When the user's slots are full, two reads of its own entries in the swarm
 *   tell whether another of its clients leeches the torrent already.
 * Users without download slots pay nothing.
 */
export class RedisDownloadSlots {
  private readonly singleRedis: boolean;
  /** slotRefreshMs(): a live leecher's entry is rewritten once a period. */
  readonly refreshMs: number;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly ttlMs: number,
  ) {
    this.singleRedis = !(client instanceof Cluster);
    this.refreshMs = slotRefreshMs(ttlMs);
  }

  /**
   * Whether the announce script keeps this announce's user's leeches itself (its 7th key): on a single Redis, for a
   * user with download slots. It then takes, lists and frees slots itself, and after() has nothing to do.
   */
  keptByScript(a: PeerAnnounce): boolean {
    return this.singleRedis && typeof a.downloadSlots === 'number';
  }

  /** Whether the announce would leech for a user with download slots. */
  apply(a: PeerAnnounce): boolean {
    return typeof a.downloadSlots === 'number' && a.left > 0 && a.event !== 'stopped';
  }

  /** For an announce the script turned back (a new leech): SLOTS_FULL, SLOT_HELD, SLOT_TAKEN or SLOTS_REFUSED. */
  async take(a: PeerAnnounce): Promise<number> {
    const taken = await this.takeSlot(a, a.downloadSlots!);
    if (taken !== SLOTS_FULL) {
      return taken;
    }
    // Full: a leech of a torrent the user leeches already (with another client) still passes.
    return (await this.leeches(a)) ? SLOTS_FULL : SLOTS_REFUSED;
  }

  /**
   * After the announce script (a Cluster's second phase): `applied` false when it refused or failed; `wasLeecher`: the
   * peer was a live leecher before, last announcing at `lastAnnounce`. A promise only when there is something to wait
   * for: most leeching announces have nothing.
   */
  after(
    a: PeerAnnounce,
    before: number,
    applied: boolean,
    wasLeecher: boolean,
    lastAnnounce: number,
  ): Promise<void> | undefined {
    if (this.keptByScript(a)) {
      return undefined;
    }
    if (before === SLOT_TAKEN && !applied) {
      return this.release(a);
    }
    if (before === SLOTS_FULL && applied) {
      // Listed by the slot script's refresh, awaited here.
      return this.takeSlot(a, REFRESH_ONLY).then(ignore);
    }
    if (before === SLOTS_CHECKED_IN_SCRIPT && applied) {
      // A live leecher's re-announce: its entry is rewritten at the first of each refresh period. Not awaited: a lost
      // refresh only lets the entry lapse early.
      if (Math.floor(a.now / this.refreshMs) !== Math.floor(lastAnnounce / this.refreshMs)) {
        this.refresh(a);
      }
      return undefined;
    }
    if (typeof a.downloadSlots === 'number' && applied && wasLeecher && (a.event === 'stopped' || a.left === 0)) {
      return this.releaseUnlessLeeching(a);
    }
    return undefined;
  }

  /** Another client of the user may still leech the torrent: then it keeps its slot. */
  private async releaseUnlessLeeching(a: PeerAnnounce): Promise<void> {
    if (!(await this.leeches(a))) {
      await this.release(a);
    }
  }

  /** The slot script's answer for the announce's user (a call per user: users' keys span a Cluster's slots). */
  private async takeSlot(a: PeerAnnounce, slots: number): Promise<number> {
    const [answer] = await this.scripts.run.peerStoreDownloadSlot(
      this.keys.leeching(a.userId),
      this.slotArgs(a, slots),
    );
    return answer;
  }

  /** Sets a live leecher's torrent time as now; nothing waits for it. */
  private refresh(a: PeerAnnounce): void {
    this.takeSlot(a, REFRESH_ONLY).catch(ignore);
  }

  private slotArgs(a: PeerAnnounce, slots: number): Buffer {
    const args = Buffer.allocUnsafe(SLOT_ARGS_BYTES);
    args.write(a.infoHash, 0, 'hex');
    args.writeDoubleBE(a.now, 20);
    // Entries live for a refresh period beyond the TTL (slotRefreshMs).
    args.writeDoubleBE(a.now - this.ttlMs - this.refreshMs, 28);
    args.writeDoubleBE(slots, 36);
    args.writeDoubleBE(this.ttlMs * 2, 44);
    return args;
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
    await this.client.hdel(this.keys.leeching(a.userId), Buffer.from(a.infoHash, 'hex'));
  }
}
