/** "No peer": the null of every slot link. */
export const NO_SLOT = -1;
export const PEER_ID_BYTES = 20;
/** Room for an IPv6 address; IPv4 uses the first 4 bytes. */
export const IP_BYTES = 16;

export const FLAG_SEEDER = 1;
export const FLAG_IPV6 = 2;

const GROWTH = 1.5;

type Column = Int32Array | Uint8Array | Uint16Array | Float64Array;

/**
 * Every live peer as one slot number across parallel typed arrays (struct of arrays), so a million peers are a
 * handful of large buffers instead of a million objects for the GC to trace. Freed slots are reused first.
 * Callers must re-read a column after `allocate()`, which may replace the arrays when it grows them.
 */
export class PeerSlotTable {
  capacity: number;
  /** Live slots. */
  size = 0;

  swarm: Int32Array;
  userId: Float64Array;
  peerId: Uint8Array;
  ip: Uint8Array;
  port: Uint16Array;
  flags: Uint8Array;
  uploaded: Float64Array;
  downloaded: Float64Array;
  left: Float64Array;
  lastAnnounce: Float64Array;
  /** Index of the slot in its swarm's seeder or leecher list. */
  listPos: Int32Array;
  /** Expiry queue links; `expiryNext` also chains the free list. */
  expiryPrev: Int32Array;
  expiryNext: Int32Array;
  /** Links of the per-user list, so removing a user or listing its torrents never scans every peer. */
  userPrev: Int32Array;
  userNext: Int32Array;

  private freeHead = NO_SLOT;
  /** Slots below this have been handed out at least once. */
  private used = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.resize(this.capacity);
  }

  allocate(): number {
    let slot = this.freeHead;
    if (slot !== NO_SLOT) {
      this.freeHead = this.expiryNext[slot];
    } else {
      if (this.used === this.capacity) {
        this.resize(Math.ceil(this.capacity * GROWTH));
      }
      slot = this.used++;
    }
    this.size++;
    return slot;
  }

  free(slot: number): void {
    this.swarm[slot] = -1;
    this.expiryNext[slot] = this.freeHead;
    this.freeHead = slot;
    this.size--;
  }

  isSeeder(slot: number): boolean {
    return (this.flags[slot] & FLAG_SEEDER) !== 0;
  }

  isIpv6(slot: number): boolean {
    return (this.flags[slot] & FLAG_IPV6) !== 0;
  }

  writePeerId(slot: number, peerId: Uint8Array): void {
    this.peerId.set(peerId.subarray(0, PEER_ID_BYTES), slot * PEER_ID_BYTES);
  }

  peerIdEquals(slot: number, peerId: Uint8Array): boolean {
    const base = slot * PEER_ID_BYTES;
    const ids = this.peerId;
    for (let i = 0; i < PEER_ID_BYTES; i++) {
      if (ids[base + i] !== peerId[i]) {
        return false;
      }
    }
    return true;
  }

  /** Stores a 4- or 16-byte address and marks which one it is. */
  writeIp(slot: number, ipBytes: Uint8Array): void {
    this.ip.set(ipBytes.subarray(0, IP_BYTES), slot * IP_BYTES);
    this.flags[slot] = ipBytes.length === IP_BYTES ? this.flags[slot] | FLAG_IPV6 : this.flags[slot] & ~FLAG_IPV6;
  }

  setSeeder(slot: number, seeder: boolean): void {
    this.flags[slot] = seeder ? this.flags[slot] | FLAG_SEEDER : this.flags[slot] & ~FLAG_SEEDER;
  }

  private resize(capacity: number): void {
    const n = capacity;
    this.swarm = grow(this.swarm, new Int32Array(n), this.used);
    this.userId = grow(this.userId, new Float64Array(n), this.used);
    this.peerId = grow(this.peerId, new Uint8Array(n * PEER_ID_BYTES), this.used * PEER_ID_BYTES);
    this.ip = grow(this.ip, new Uint8Array(n * IP_BYTES), this.used * IP_BYTES);
    this.port = grow(this.port, new Uint16Array(n), this.used);
    this.flags = grow(this.flags, new Uint8Array(n), this.used);
    this.uploaded = grow(this.uploaded, new Float64Array(n), this.used);
    this.downloaded = grow(this.downloaded, new Float64Array(n), this.used);
    this.left = grow(this.left, new Float64Array(n), this.used);
    this.lastAnnounce = grow(this.lastAnnounce, new Float64Array(n), this.used);
    this.listPos = grow(this.listPos, new Int32Array(n), this.used);
    this.expiryPrev = grow(this.expiryPrev, new Int32Array(n), this.used);
    this.expiryNext = grow(this.expiryNext, new Int32Array(n), this.used);
    this.userPrev = grow(this.userPrev, new Int32Array(n), this.used);
    this.userNext = grow(this.userNext, new Int32Array(n), this.used);
    this.capacity = capacity;
  }
}

function grow<T extends Column>(old: T | undefined, next: T, length: number): T {
  if (old) {
    next.set(old.subarray(0, length));
  }
  return next;
}
