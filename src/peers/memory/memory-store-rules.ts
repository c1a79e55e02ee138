import { NO_SLOT } from 'src/peers/memory/peer-slot-table';
import type { LivePeers } from 'src/peers/memory/live-peers';
import {
  DUPLICATE_WINDOW_MS,
  type PeerAnnounce,
  type PeerStoreRules,
  type StoreRule,
} from 'src/peers/peer-store.types';

/** pace()'s answer for a duplicate announce. */
export const DUPLICATE = -1;

/**
 * What the memory store's rules (PeerStoreRules) decide about an announce, from the live peers, before it is applied;
 * MemoryPeerStore refuses, warns or (observe mode) reports by these answers. Allocation-free: each answers a number or
 * a boolean.
 */
export class MemoryStoreRules {
  constructor(
    private readonly peers: LivePeers,
    private readonly rules: PeerStoreRules,
    private readonly ttlMs: number,
  ) {}

  /** Whether a rule is in observe mode; asked only once the rule would refuse. */
  observes(rule: StoreRule): boolean {
    return this.rules.observed.includes(rule);
  }

  /**
   * Pacing of a live peer's announce: DUPLICATE for a repeat of its previous one (DUPLICATE_WINDOW_MS), else the ms
   * left of the minimum interval for a regular announce (no event, or paused), 0 when in time. The previous announce
   * is the previous one from the same address family (a dual-stack client announces over both each interval, and the
   * first over a family brings a new endpoint: never too soon, never a duplicate); a refused (strict) announce does not
   * move it. The totals compared are the peer's one baseline.
   */
  pace(slot: number, a: PeerAnnounce): number {
    const s = this.peers.slots;
    const regular = a.event === 'none' || a.event === 'paused';
    if (!regular && a.event !== 'started') {
      return 0;
    }
    const since = a.now - s.endpointSeen(slot, a.ipBytes.length === 16);
    if (
      since <= DUPLICATE_WINDOW_MS &&
      a.uploaded === s.uploaded[slot] &&
      a.downloaded === s.downloaded[slot] &&
      a.left === s.left[slot]
    ) {
      return DUPLICATE;
    }
    return regular && since < this.rules.minIntervalMs ? this.rules.minIntervalMs - since : 0;
  }

  /** A new peer id of a user who already has MAX_PEERS_PER_USER_TORRENT live peers in the swarm. */
  overPeerLimit(a: PeerAnnounce): boolean {
    const limit = this.rules.maxPeersPerUserTorrent;
    const swarm = limit > 0 ? this.peers.swarms.get(a.infoHash) : undefined;
    return swarm !== undefined && this.peers.countUserPeers(swarm, a.userId, a.now - this.ttlMs, limit) >= limit;
  }

  /**
   * A leeching announce that would start a leech of this torrent (no live leecher of the user in it yet) while the
   * user already leeches `limit` others. Seeding, stopped and a live leecher's re-announce always pass.
   */
  outOfDownloadSlots(slot: number, a: PeerAnnounce, limit: number): boolean {
    if (a.left === 0 || a.event === 'stopped' || (slot !== NO_SLOT && !this.peers.slots.isSeeder(slot))) {
      return false;
    }
    const swarmId = this.peers.swarms.get(a.infoHash)?.id;
    return this.peers.leechingElsewhere(swarmId, a.userId) >= limit;
  }
}
