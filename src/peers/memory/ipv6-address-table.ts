const GROWTH = 1.5;
const NONE = -1;

/**
 * IPv6 addresses of the peers that have one, apart from the slot table: most peers are IPv4, and a 16-byte
 * column for every peer would cost 12 bytes each for nothing. Entries are reused through a free list.
 */
export class Ipv6AddressTable {
  bytes = new Uint8Array(64 * 16);
  private nextFree = new Int32Array(64);
  private freeHead = NONE;
  private used = 0;

  allocate(): number {
    const entry = this.freeHead;
    if (entry !== NONE) {
      this.freeHead = this.nextFree[entry];
      return entry;
    }
    if (this.used === this.nextFree.length) {
      const capacity = Math.ceil(this.nextFree.length * GROWTH);
      const bytes = new Uint8Array(capacity * 16);
      bytes.set(this.bytes);
      this.bytes = bytes;
      const nextFree = new Int32Array(capacity);
      nextFree.set(this.nextFree);
      this.nextFree = nextFree;
    }
    return this.used++;
  }

  free(entry: number): void {
    this.nextFree[entry] = this.freeHead;
    this.freeHead = entry;
  }

  get byteLength(): number {
    return this.bytes.byteLength + this.nextFree.byteLength;
  }

  write(entry: number, address: Uint8Array): void {
    this.bytes.set(address.subarray(0, 16), entry * 16);
  }
}
