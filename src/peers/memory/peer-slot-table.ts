import { ipv4Text, ipv6Text } from 'src/peers/ip-text.util';
import { Ipv6AddressTable } from 'src/peers/memory/ipv6-address-table';

/** "No peer": the null of every slot link. */
export const NO_SLOT = -1;
export const PEER_ID_BYTES = 20;

const FLAG_SEEDER = 1;
const FLAG_IPV6 = 2;
const GROWTH = 1.5;

type Column = Int32Array | Uint32Array | Uint8Array | Uint16Array | Float64Array;

/**
 * Every live peer as one slot number across parallel typed arrays (struct of arrays), so a million peers are a
 * handful of large buffers instead of a million objects for the GC to trace: 87 bytes a slot.
 * Freed slots are reused first. Callers must re-read a column after `allocate()`, which may replace the arrays.
 */
export class PeerSlotTable {
  capacity: number;
  /** Live slots. */
  size = 0;

  swarm: Int32Array;
  /** Site user ids are PostgreSQL integers, so 32 bits hold them. */
  userId: Int32Array;
  peerId: Uint8Array;
  /** The IPv4 address (big-endian), or for IPv6 peers the entry in `ipv6`. */
  ip: Uint32Array;
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

  readonly ipv6 = new Ipv6AddressTable();
  private freeHead = NO_SLOT;
  /** Slots below this have been handed out at least once. */
  private used = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.resize(this.capacity);
  }

  /** A slot with cleared flags; its other fields hold stale values until written. */
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
    this.flags[slot] = 0;
    this.size++;
    return slot;
  }

  free(slot: number): void {
    if (this.isIpv6(slot)) {
      this.ipv6.free(this.ip[slot]);
    }
    this.flags[slot] = 0;
    this.swarm[slot] = -1;
    this.expiryNext[slot] = this.freeHead;
    this.freeHead = slot;
    this.size--;
  }

  isSeeder(slot: number): boolean {
    return (this.flags[slot] & FLAG_SEEDER) !== 0;
  }

  setSeeder(slot: number, seeder: boolean): void {
    this.flags[slot] = seeder ? this.flags[slot] | FLAG_SEEDER : this.flags[slot] & ~FLAG_SEEDER;
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

  copyPeerId(slot: number, out: Uint8Array, offset: number): void {
    const base = slot * PEER_ID_BYTES;
    for (let i = 0; i < PEER_ID_BYTES; i++) {
      out[offset + i] = this.peerId[base + i];
    }
  }

  /** Stores a 4-byte (IPv4) or 16-byte (IPv6) address. */
  writeIp(slot: number, address: Uint8Array): void {
    const wasIpv6 = this.isIpv6(slot);
    if (address.length !== 16) {
      if (wasIpv6) {
        this.ipv6.free(this.ip[slot]);
        this.flags[slot] &= ~FLAG_IPV6;
      }
      this.ip[slot] = ((address[0] << 24) | (address[1] << 16) | (address[2] << 8) | address[3]) >>> 0;
      return;
    }
    if (!wasIpv6) {
      this.ip[slot] = this.ipv6.allocate();
      this.flags[slot] |= FLAG_IPV6;
    }
    this.ipv6.write(this.ip[slot], address);
  }

  /** Writes the compact form (address then big-endian port: 6 or 18 bytes) at `offset`. */
  writeCompact(slot: number, out: Buffer, offset: number): void {
    if (this.isIpv6(slot)) {
      const at = this.ip[slot] * 16;
      out.set(this.ipv6.bytes.subarray(at, at + 16), offset);
      out.writeUInt16BE(this.port[slot], offset + 16);
    } else {
      out.writeUInt32BE(this.ip[slot], offset);
      out.writeUInt16BE(this.port[slot], offset + 4);
    }
  }

  ipText(slot: number): string {
    return this.isIpv6(slot) ? ipv6Text(this.ipv6.bytes, this.ip[slot] * 16) : ipv4Text(this.ip[slot]);
  }

  private resize(capacity: number): void {
    const n = capacity;
    this.swarm = grow(this.swarm, new Int32Array(n), this.used);
    this.userId = grow(this.userId, new Int32Array(n), this.used);
    this.peerId = grow(this.peerId, new Uint8Array(n * PEER_ID_BYTES), this.used * PEER_ID_BYTES);
    this.ip = grow(this.ip, new Uint32Array(n), this.used);
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
