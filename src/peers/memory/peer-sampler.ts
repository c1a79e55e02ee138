import { PEER_ID_BYTES, type PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import type { SlotList } from 'src/peers/memory/slot-list';
import type { Swarm } from 'src/peers/memory/swarm';
import type { SelectedPeers } from 'src/peers/peer-store.types';

/** Own peers (or stale ones) skipped per list before giving up, so a sample stays O(numwant) in any swarm. */
const MAX_SKIPS = 64;
const EMPTY = Buffer.alloc(0);

/**
 * Picks the peers for an announce answer and packs them for the wire. Sampling is a partial Fisher-Yates shuffle
 * done in place on the swarm's lists (their order carries no meaning), so each answer is a fresh uniform sample
 * at O(numwant) cost with no copy of the swarm.
 */
export class PeerSampler {
  private picked = new Int32Array(128);

  constructor(private readonly slots: PeerSlotTable) {}

  /**
   * Seeders get leechers only; leechers get seeders first, then leechers. Peers of `userId` are never returned,
   * nor peers last seen before `liveSince` that the expiry sweep has not reached yet.
   */
  select(
    swarm: Swarm,
    userId: number,
    seeder: boolean,
    numwant: number,
    wantPeerIds: boolean,
    liveSince: number,
  ): SelectedPeers {
    if (this.picked.length < numwant) {
      this.picked = new Int32Array(numwant);
    }
    let n = 0;
    if (!seeder) {
      n = this.sample(swarm.seeders, userId, numwant, liveSince, 0);
    }
    n = this.sample(swarm.leechers, userId, numwant, liveSince, n);
    return this.pack(n, wantPeerIds);
  }

  /** Appends up to `numwant - n` random eligible slots of `list` to `picked`; returns the new count. */
  private sample(list: SlotList, userId: number, numwant: number, liveSince: number, n: number): number {
    const { userId: users, lastAnnounce } = this.slots;
    const count = list.count;
    let skips = 0;
    for (let i = 0; i < count && n < numwant && skips < MAX_SKIPS; i++) {
      list.swap(i, i + Math.floor(Math.random() * (count - i)));
      const slot = list.items[i];
      if (users[slot] === userId || lastAnnounce[slot] < liveSince) {
        skips++;
      } else {
        this.picked[n++] = slot;
      }
    }
    return n;
  }

  private pack(n: number, wantPeerIds: boolean): SelectedPeers {
    const { slots, picked } = this;
    let n6 = 0;
    for (let i = 0; i < n; i++) {
      if (slots.isIpv6(picked[i])) {
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
      if (slots.isIpv6(slot)) {
        slots.writeCompact(slot, compact6, i6 * 18);
        if (ids6) {
          slots.copyPeerId(slot, ids6, i6 * PEER_ID_BYTES);
        }
        i6++;
      } else {
        slots.writeCompact(slot, compact4, i4 * 6);
        if (ids4) {
          slots.copyPeerId(slot, ids4, i4 * PEER_ID_BYTES);
        }
        i4++;
      }
    }
    return { compact4, compact6, ids4, ids6 };
  }
}
