import { PEER_ID_BYTES, type PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import type { SlotList } from 'src/peers/memory/slot-list';
import type { Swarm } from 'src/peers/memory/swarm';
import type { SelectedPeers } from 'src/peers/peer-store.types';

/** Own peers (or stale ones) skipped per list before giving up, so a sample stays O(numwant) in any swarm. */
const MAX_SKIPS = 64;
const EMPTY = Buffer.alloc(0);

/**
 * Picks the peers for an announce answer and packs them for the wire. Each list is read as a window from a random
 * position, wrapping around, as opentracker does and as the Redis store does with ZRANGE: O(numwant), and nothing
 * written. The lists' order carries no meaning (arrival, shuffled by swap-removals), so a window moving with every
 * announce spreads the swarm as well as a shuffle would. The in-place shuffle it replaced wrote two positions per
 * peer into the slot table, at random places: a cache miss each, the largest single cost of an announce in the
 * store (scripts/bench/pipeline-cost.js, 50 peers an answer: 35 µs an announce with it, 24-27 µs without).
 */
export class PeerSampler {
  private picked = new Int32Array(128);
  /** Per picked slot, 1 when a dual-stack peer's second endpoint is the one sent. */
  private second = new Uint8Array(128);

  constructor(private readonly slots: PeerSlotTable) {}

  /**
   * Seeders get leechers only; leechers get seeders first, then leechers. Peers of `userId` are never returned,
   * nor peers last seen before `liveSince` that the expiry sweep has not reached yet. A dual-stack peer is sent once,
   * by the endpoint of the requester's family when that one is live (README: dual-stack peers).
   */
  select(
    swarm: Swarm,
    userId: number,
    seeder: boolean,
    numwant: number,
    wantPeerIds: boolean,
    liveSince: number,
    requesterIpv6: boolean,
  ): SelectedPeers {
    if (this.picked.length < numwant) {
      this.picked = new Int32Array(numwant);
      this.second = new Uint8Array(numwant);
    }
    let n = 0;
    if (!seeder) {
      n = this.sample(swarm.seeders, userId, numwant, liveSince, 0);
    }
    n = this.sample(swarm.leechers, userId, numwant, liveSince, n);
    return this.pack(n, wantPeerIds, requesterIpv6, liveSince);
  }

  /** Appends up to `numwant - n` eligible slots of `list`, from a random position on, to `picked`; returns the count. */
  private sample(list: SlotList, userId: number, numwant: number, liveSince: number, n: number): number {
    const { userId: users, lastAnnounce } = this.slots;
    const { items, count } = list;
    let at = Math.floor(Math.random() * count);
    let skips = 0;
    for (let seen = 0; seen < count && n < numwant && skips < MAX_SKIPS; seen++) {
      const slot = items[at];
      at = at + 1 === count ? 0 : at + 1;
      if (users[slot] === userId || lastAnnounce[slot] < liveSince) {
        skips++;
      } else {
        this.picked[n++] = slot;
      }
    }
    return n;
  }

  private pack(n: number, wantPeerIds: boolean, requesterIpv6: boolean, liveSince: number): SelectedPeers {
    const { slots, picked, second } = this;
    let n6 = 0;
    for (let i = 0; i < n; i++) {
      const slot = picked[i];
      const useSecond = slots.isDual(slot) && slots.usesSecond(slot, requesterIpv6, liveSince);
      second[i] = useSecond ? 1 : 0;
      if (slots.isIpv6(slot) !== useSecond) {
        n6++;
      }
    }
    const n4 = n - n6;
    const compact4 = n4 ? Buffer.allocUnsafe(n4 * 6) : EMPTY;
    const compact6 = n6 ? Buffer.allocUnsafe(n6 * 18) : EMPTY;
    const ids4 = wantPeerIds ? Buffer.allocUnsafe(n4 * PEER_ID_BYTES) : null;
    const ids6 = wantPeerIds ? Buffer.allocUnsafe(n6 * PEER_ID_BYTES) : null;
    let i4 = 0;
    let i6 = 0;
    for (let i = 0; i < n; i++) {
      const slot = picked[i];
      const useSecond = second[i] === 1;
      if (slots.isIpv6(slot) !== useSecond) {
        if (useSecond) {
          slots.writeSecondCompact(slot, compact6, i6 * 18);
        } else {
          slots.writeCompact(slot, compact6, i6 * 18);
        }
        if (ids6) {
          slots.copyPeerId(slot, ids6, i6 * PEER_ID_BYTES);
        }
        i6++;
      } else {
        if (useSecond) {
          slots.writeSecondCompact(slot, compact4, i4 * 6);
        } else {
          slots.writeCompact(slot, compact4, i4 * 6);
        }
        if (ids4) {
          slots.copyPeerId(slot, ids4, i4 * PEER_ID_BYTES);
        }
        i4++;
      }
    }
    return { compact4, compact6, ids4, ids6 };
  }
}
