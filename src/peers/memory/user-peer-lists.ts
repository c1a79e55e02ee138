import { NO_SLOT, type PeerSlotTable } from 'src/peers/memory/peer-slot-table';

/**
 * For each user, its live slots across all swarms, as a doubly linked list through the slot table. Only the
 * list heads live in a Map (one entry per active user, not per peer).
 */
export class UserPeerLists {
  private readonly heads = new Map<number, number>();
  /** Each listed user's number of slots, so that a caller can walk whichever list is shorter. */
  private readonly sizes = new Map<number, number>();

  constructor(private readonly slots: PeerSlotTable) {}

  /** Links a slot whose `userId` is written. */
  link(slot: number): void {
    const { userPrev: prev, userNext: next } = this.slots;
    const userId = this.slots.userId[slot];
    const head = this.heads.get(userId) ?? NO_SLOT;
    prev[slot] = NO_SLOT;
    next[slot] = head;
    if (head !== NO_SLOT) {
      prev[head] = slot;
    }
    this.heads.set(userId, slot);
    this.sizes.set(userId, (this.sizes.get(userId) ?? 0) + 1);
  }

  unlink(slot: number): void {
    const { userPrev: prev, userNext: next } = this.slots;
    const userId = this.slots.userId[slot];
    const size = (this.sizes.get(userId) ?? 1) - 1;
    if (size > 0) {
      this.sizes.set(userId, size);
    } else {
      this.sizes.delete(userId);
    }
    const p = prev[slot];
    const n = next[slot];
    if (n !== NO_SLOT) {
      prev[n] = p;
    }
    if (p !== NO_SLOT) {
      next[p] = n;
    } else if (n === NO_SLOT) {
      this.heads.delete(this.slots.userId[slot]);
    } else {
      this.heads.set(this.slots.userId[slot], n);
    }
  }

  sizeOf(userId: number): number {
    return this.sizes.get(userId) ?? 0;
  }

  first(userId: number): number {
    return this.heads.get(userId) ?? NO_SLOT;
  }

  /** The user's slots, copied so callers may remove peers while iterating. */
  slotsOf(userId: number): number[] {
    const out: number[] = [];
    for (let s = this.first(userId); s !== NO_SLOT; s = this.slots.userNext[s]) {
      out.push(s);
    }
    return out;
  }
}
