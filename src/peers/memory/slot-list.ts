import type { PeerSlotTable } from 'src/peers/memory/peer-slot-table';

const MIN_CAPACITY = 4;

/**
 * An unordered list of slots (a swarm's seeders or leechers) in a growable Int32Array. Each slot's index is kept
 * in the table's `listPos`, so removal is a swap with the last item: O(1).
 */
export class SlotList {
  items = new Int32Array(MIN_CAPACITY);
  count = 0;

  constructor(private readonly slots: PeerSlotTable) {}

  add(slot: number): void {
    if (this.count === this.items.length) {
      this.resize(this.items.length * 2);
    }
    this.items[this.count] = slot;
    this.slots.listPos[slot] = this.count;
    this.count++;
  }

  remove(slot: number): void {
    const pos = this.slots.listPos[slot];
    const last = this.items[--this.count];
    this.items[pos] = last;
    this.slots.listPos[last] = pos;
    // Give memory back when a big swarm empties, with hysteresis so add/remove at the edge does not thrash.
    if (this.items.length > MIN_CAPACITY && this.count < this.items.length / 4) {
      this.resize(Math.max(MIN_CAPACITY, this.items.length / 2));
    }
  }

  private resize(capacity: number): void {
    const next = new Int32Array(capacity);
    next.set(this.items.subarray(0, this.count));
    this.items = next;
  }
}
