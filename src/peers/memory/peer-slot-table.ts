import { ipv4Text, ipv6Text } from 'src/peers/ip-text.util';
import { Ipv6AddressTable } from 'src/peers/memory/ipv6-address-table';
import { SecondEndpoints } from 'src/peers/memory/second-endpoints';

/** "No peer": the null of every slot link. */
export const NO_SLOT = -1;
export const PEER_ID_BYTES = 20;

const FLAG_SEEDER = 1;
const FLAG_IPV6 = 2;
/** The slot has a second endpoint, of the other family, in `second`. */
const FLAG_DUAL = 4;
const GROWTH = 1.5;
/** 4 × f64, 8 × i32, u16, 20-byte peer id, u8 flags. */
const BYTES_PER_SLOT = 4 * 8 + 8 * 4 + 2 + PEER_ID_BYTES + 1;

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
  /** The IPv4 address (big-endian), or for IPv6 peers the entry in `ipv6`; a dual-stack peer's other is in `second`. */
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
  readonly second = new SecondEndpoints();
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
    if (this.isDual(slot)) {
      this.dropSecond(slot);
    }
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

  isDual(slot: number): boolean {
    return (this.flags[slot] & FLAG_DUAL) !== 0;
  }

  /**
   * Records an announce's endpoint on a live peer: the endpoint of its family only. A peer seen over one family that
   * announces over the other becomes dual-stack; the endpoint of a dual-stack peer that went silent (last seen before
   * `liveSince`) is dropped as the other announces. Call before `lastAnnounce` is moved to `now`.
   */
  writeEndpoint(slot: number, address: Uint8Array, port: number, now: number, liveSince: number): void {
    const ipv6 = address.length === 16;
    const own = ipv6 === this.isIpv6(slot);
    if (!this.isDual(slot)) {
      if (own) {
        this.writeIp(slot, address);
        this.port[slot] = port;
        return;
      }
      const entry = this.second.add(slot);
      this.second.primarySeen[entry] = this.lastAnnounce[slot];
      this.second.ip[entry] = ipv6 ? this.ipv6.allocate() : 0;
      this.flags[slot] |= FLAG_DUAL;
    }
    const second = this.second;
    const entry = second.entryOf(slot);
    if (own) {
      this.writeIp(slot, address);
      this.port[slot] = port;
      second.primarySeen[entry] = now;
      if (second.seen[entry] < liveSince) {
        this.dropSecond(slot);
      }
      return;
    }
    if (ipv6) {
      this.ipv6.write(second.ip[entry], address);
    } else {
      second.ip[entry] = packIpv4(address);
    }
    second.port[entry] = port;
    second.seen[entry] = now;
    if (second.primarySeen[entry] < liveSince) {
      this.promoteSecond(slot, entry);
    }
  }

  /** When the peer last announced over this family; -Infinity when it has no endpoint of it. */
  endpointSeen(slot: number, ipv6: boolean): number {
    const own = ipv6 === this.isIpv6(slot);
    if (!this.isDual(slot)) {
      return own ? this.lastAnnounce[slot] : -Infinity;
    }
    const entry = this.second.entryOf(slot);
    return own ? this.second.primarySeen[entry] : this.second.seen[entry];
  }

  /**
   * Whether a requester of this family gets a dual-stack slot's second endpoint: the endpoint of its own family when
   * that one is live, else the live one (a live slot has at least one).
   */
  usesSecond(slot: number, requesterIpv6: boolean, liveSince: number): boolean {
    const entry = this.second.entryOf(slot);
    return requesterIpv6 === this.isIpv6(slot)
      ? this.second.primarySeen[entry] < liveSince
      : this.second.seen[entry] >= liveSince;
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
      this.ip[slot] = packIpv4(address);
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
    this.writeAddress(this.ip[slot], this.port[slot], this.isIpv6(slot), out, offset);
  }

  /** The compact form of a dual-stack slot's second endpoint (18 bytes when the slot's own is IPv4, else 6). */
  writeSecondCompact(slot: number, out: Buffer, offset: number): void {
    const entry = this.second.entryOf(slot);
    this.writeAddress(this.second.ip[entry], this.second.port[entry], !this.isIpv6(slot), out, offset);
  }

  ipText(slot: number): string {
    return this.isIpv6(slot) ? ipv6Text(this.ipv6.bytes, this.ip[slot] * 16) : ipv4Text(this.ip[slot]);
  }

  /** A dual-stack slot's second endpoint as text. */
  secondIpText(slot: number): string {
    const ip = this.second.ip[this.second.entryOf(slot)];
    return this.isIpv6(slot) ? ipv4Text(ip) : ipv6Text(this.ipv6.bytes, ip * 16);
  }

  /** `ip`: an IPv4 address, or for IPv6 an entry of `ipv6`. */
  private writeAddress(ip: number, port: number, ipv6: boolean, out: Buffer, offset: number): void {
    if (ipv6) {
      out.set(this.ipv6.bytes.subarray(ip * 16, ip * 16 + 16), offset);
      out.writeUInt16BE(port, offset + 16);
      return;
    }
    // Byte by byte: writeUInt32BE's argument checks cost more than the writes, once per peer in every answer.
    out[offset] = ip >>> 24;
    out[offset + 1] = ip >>> 16;
    out[offset + 2] = ip >>> 8;
    out[offset + 3] = ip;
    out[offset + 4] = port >>> 8;
    out[offset + 5] = port;
  }

  /** Forgets a dual-stack slot's second endpoint: the peer is single-stack again. */
  private dropSecond(slot: number): void {
    if (!this.isIpv6(slot)) {
      this.ipv6.free(this.second.ip[this.second.entryOf(slot)]);
    }
    this.second.remove(slot);
    this.flags[slot] &= ~FLAG_DUAL;
  }

  /** The slot's own endpoint went silent: the second one takes its place, and the peer is single-stack again. */
  private promoteSecond(slot: number, entry: number): void {
    if (this.isIpv6(slot)) {
      this.ipv6.free(this.ip[slot]);
    }
    this.ip[slot] = this.second.ip[entry];
    this.port[slot] = this.second.port[entry];
    this.flags[slot] ^= FLAG_IPV6;
    this.second.remove(slot);
    this.flags[slot] &= ~FLAG_DUAL;
  }

  /**
   * All columns are views into one ArrayBuffer, widest elements first so every view is aligned. One big block per
   * growth (instead of fifteen) is mmap-backed once large and goes straight back to the OS when replaced, where
   * separate mid-size columns leave the malloc heap fragmented (~25 bytes a peer of RSS at a million peers).
   */
  private resize(capacity: number): void {
    const n = capacity;
    const buffer = new ArrayBuffer(n * BYTES_PER_SLOT);
    let offset = 0;
    const take = <T extends Column>(make: (at: number) => T, old: T | undefined, perSlot: number): T => {
      const view = make(offset);
      offset += view.byteLength;
      if (old) {
        view.set(old.subarray(0, this.used * perSlot));
      }
      return view;
    };
    this.uploaded = take((at) => new Float64Array(buffer, at, n), this.uploaded, 1);
    this.downloaded = take((at) => new Float64Array(buffer, at, n), this.downloaded, 1);
    this.left = take((at) => new Float64Array(buffer, at, n), this.left, 1);
    this.lastAnnounce = take((at) => new Float64Array(buffer, at, n), this.lastAnnounce, 1);
    this.swarm = take((at) => new Int32Array(buffer, at, n), this.swarm, 1);
    this.userId = take((at) => new Int32Array(buffer, at, n), this.userId, 1);
    this.ip = take((at) => new Uint32Array(buffer, at, n), this.ip, 1);
    this.listPos = take((at) => new Int32Array(buffer, at, n), this.listPos, 1);
    this.expiryPrev = take((at) => new Int32Array(buffer, at, n), this.expiryPrev, 1);
    this.expiryNext = take((at) => new Int32Array(buffer, at, n), this.expiryNext, 1);
    this.userPrev = take((at) => new Int32Array(buffer, at, n), this.userPrev, 1);
    this.userNext = take((at) => new Int32Array(buffer, at, n), this.userNext, 1);
    this.port = take((at) => new Uint16Array(buffer, at, n), this.port, 1);
    this.peerId = take((at) => new Uint8Array(buffer, at, n * PEER_ID_BYTES), this.peerId, PEER_ID_BYTES);
    this.flags = take((at) => new Uint8Array(buffer, at, n), this.flags, 1);
    this.capacity = capacity;
  }

  /** Bytes held, for metrics and the memory bench. */
  get byteLength(): number {
    return this.capacity * BYTES_PER_SLOT + this.ipv6.byteLength + this.second.byteLength;
  }
}

function packIpv4(address: Uint8Array): number {
  return ((address[0] << 24) | (address[1] << 16) | (address[2] << 8) | address[3]) >>> 0;
}
