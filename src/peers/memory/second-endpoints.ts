const GROWTH = 1.5;
const NONE = -1;

/**
 * The second endpoint of dual-stack peers (README: dual-stack peers), apart from the slot table: the slot keeps
 * one endpoint (its own `ip`, `port` and family flag), and an entry here keeps the endpoint of the other family
 * and when each of the two last announced. Most peers announce over one family only, so they pay nothing: no
 * column of the slot table grows, and only a dual-stack slot has an entry (found through `entryOf`).
 * `ip` holds an IPv4 address (big-endian) or, when the second endpoint is IPv6, an entry of the slot table's
 * Ipv6AddressTable; the slot table, which owns that table, allocates and frees it.
 */
export class SecondEndpoints {
  ip = new Uint32Array(16);
  port = new Uint16Array(16);
  /** The slot's own endpoint's last announce: the slot's `lastAnnounce` is the later of the two. */
  primarySeen = new Float64Array(16);
  /** This endpoint's last announce. */
  seen = new Float64Array(16);
  private readonly entries = new Map<number, number>();
  private nextFree = new Int32Array(16);
  private freeHead = NONE;
  private used = 0;

  get size(): number {
    return this.entries.size;
  }

  /** The slot's entry; only for a slot flagged dual-stack. */
  entryOf(slot: number): number {
    const entry = this.entries.get(slot);
    if (entry === undefined) {
      throw new Error(`slot ${slot} has no second endpoint`);
    }
    return entry;
  }

  add(slot: number): number {
    let entry = this.freeHead;
    if (entry !== NONE) {
      this.freeHead = this.nextFree[entry];
    } else {
      if (this.used === this.nextFree.length) {
        this.grow(Math.ceil(this.used * GROWTH));
      }
      entry = this.used++;
    }
    this.entries.set(slot, entry);
    return entry;
  }

  remove(slot: number): void {
    const entry = this.entryOf(slot);
    this.entries.delete(slot);
    this.nextFree[entry] = this.freeHead;
    this.freeHead = entry;
  }

  get byteLength(): number {
    return this.used === 0 ? 0 : this.nextFree.length * (4 + 2 + 8 + 8 + 4);
  }

  private grow(capacity: number): void {
    const widen = <T extends Uint32Array | Uint16Array | Float64Array | Int32Array>(old: T, make: (n: number) => T) => {
      const view = make(capacity);
      view.set(old);
      return view;
    };
    this.ip = widen(this.ip, (n) => new Uint32Array(n));
    this.port = widen(this.port, (n) => new Uint16Array(n));
    this.primarySeen = widen(this.primarySeen, (n) => new Float64Array(n));
    this.seen = widen(this.seen, (n) => new Float64Array(n));
    this.nextFree = widen(this.nextFree, (n) => new Int32Array(n));
  }
}
