import { randomBytes } from 'node:crypto';
import { hashPeerKey } from 'src/peers/memory/peer-key-hash.util';
import { NO_SLOT, PEER_ID_BYTES, type PeerSlotTable } from 'src/peers/memory/peer-slot-table';

/** Grow when more than half full: linear probing stays short, and the table costs 8-16 bytes per peer. */
const MAX_LOAD = 0.5;

/**
 * (swarm, user, peer id) → slot, as an open-addressing hash table with linear probing over one Int32Array
 * (entries are slot + 1; 0 is empty). Deletion shifts the following run back instead of leaving tombstones,
 * so lookups never slow down with churn. Keys are read from the slot table, not copied.
 */
export class PeerSlotIndex {
  private table: Int32Array;
  private mask: number;
  private count = 0;
  private readonly seed = randomBytes(4).readInt32LE(0);

  constructor(
    private readonly slots: PeerSlotTable,
    initialSize = 2048,
  ) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, initialSize)));
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  find(swarm: number, userId: number, peerId: Uint8Array): number {
    const { slots, table, mask } = this;
    let i = hashPeerKey(this.seed, swarm, userId, peerId, 0) & mask;
    for (;;) {
      const entry = table[i];
      if (entry === 0) {
        return NO_SLOT;
      }
      const slot = entry - 1;
      if (slots.swarm[slot] === swarm && slots.userId[slot] === userId && slots.peerIdEquals(slot, peerId)) {
        return slot;
      }
      i = (i + 1) & mask;
    }
  }

  /** Indexes a slot whose key fields are already written; the key must not be present yet. */
  insert(slot: number): void {
    if (this.count + 1 > this.table.length * MAX_LOAD) {
      this.rehash(this.table.length * 2);
    }
    this.place(slot);
    this.count++;
  }

  /** Removes a slot that is indexed; its key fields must still be intact. */
  remove(slot: number): void {
    const { table, mask } = this;
    let i = this.home(slot);
    while (table[i] !== slot + 1) {
      if (table[i] === 0) {
        throw new Error(`peer slot ${slot} is not indexed`);
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: pull later entries of the run into the hole when their home allows it.
    let hole = i;
    let j = (i + 1) & mask;
    while (table[j] !== 0) {
      const home = this.home(table[j] - 1);
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        table[hole] = table[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    table[hole] = 0;
    this.count--;
  }

  private home(slot: number): number {
    const s = this.slots;
    return hashPeerKey(this.seed, s.swarm[slot], s.userId[slot], s.peerId, slot * PEER_ID_BYTES) & this.mask;
  }

  private place(slot: number): void {
    const { table, mask } = this;
    let i = this.home(slot);
    while (table[i] !== 0) {
      i = (i + 1) & mask;
    }
    table[i] = slot + 1;
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      if (old[i] !== 0) {
        this.place(old[i] - 1);
      }
    }
  }
}
