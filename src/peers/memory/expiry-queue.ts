import { NO_SLOT, type PeerSlotTable } from 'src/peers/memory/peer-slot-table';

/** How far an announce with an older `now` than the newest may walk back to keep the queue sorted. */
const MAX_REORDER_STEPS = 32;

/**
 * Live slots ordered by last announce, oldest first, as a doubly linked list through the slot table.
 * Expiring is popping the head while it is too old: O(1) per expired peer, and nothing ever scans a swarm.
 * `now` is almost always non-decreasing; a slightly older one is inserted in place, a much older one at the end
 * (then that peer may outlive its TTL a little, and reads filter it).
 */
export class ExpiryQueue {
  head = NO_SLOT;
  private tail = NO_SLOT;

  constructor(private readonly slots: PeerSlotTable) {}

  /** Inserts a slot whose `lastAnnounce` is written. */
  push(slot: number): void {
    const { expiryPrev: prev, lastAnnounce: at } = this.slots;
    let after = this.tail;
    for (let steps = 0; after !== NO_SLOT && at[after] > at[slot] && steps < MAX_REORDER_STEPS; steps++) {
      after = prev[after];
    }
    if (after !== NO_SLOT && at[after] > at[slot]) {
      after = this.tail;
    }
    this.insertAfter(slot, after);
  }

  unlink(slot: number): void {
    const { expiryPrev: prev, expiryNext: next } = this.slots;
    const p = prev[slot];
    const n = next[slot];
    if (p === NO_SLOT) {
      this.head = n;
    } else {
      next[p] = n;
    }
    if (n === NO_SLOT) {
      this.tail = p;
    } else {
      prev[n] = p;
    }
  }

  /** Re-queues a slot after its `lastAnnounce` changed. */
  touch(slot: number): void {
    this.unlink(slot);
    this.push(slot);
  }

  private insertAfter(slot: number, after: number): void {
    const { expiryPrev: prev, expiryNext: next } = this.slots;
    const n = after === NO_SLOT ? this.head : next[after];
    prev[slot] = after;
    next[slot] = n;
    if (after === NO_SLOT) {
      this.head = slot;
    } else {
      next[after] = slot;
    }
    if (n === NO_SLOT) {
      this.tail = slot;
    } else {
      prev[n] = slot;
    }
  }
}
