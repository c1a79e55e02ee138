import { isIPv4, isIPv6 } from 'node:net';

export interface PeerAddress {
  /** Dotted IPv4, or IPv6 text; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is unwrapped to IPv4. */
  ip: string;
  /** 4 or 16 bytes. */
  bytes: Buffer;
}

/** Addresses remembered; past this the cache starts over (a flood of distinct addresses costs one clear each). */
const CACHED_ADDRESSES = 10_000;

/**
 * toPeerAddress, remembered: the same clients announce from the same addresses over and over, and parsing one
 * (a regex, a split, a buffer) is a measurable part of an announce. The returned objects are shared: read only.
 */
export class PeerAddressCache {
  private readonly known = new Map<string, PeerAddress | null>();

  of(raw: string): PeerAddress | null {
    let address = this.known.get(raw);
    if (address === undefined) {
      address = toPeerAddress(raw);
      if (this.known.size >= CACHED_ADDRESSES) {
        this.known.clear();
      }
      this.known.set(raw, address);
    }
    return address;
  }
}

/** The announcing peer's address as the wire wants it; null for something that is not an IP. */
export function toPeerAddress(raw: string): PeerAddress | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw);
  const ip = mapped ? mapped[1] : raw;
  if (isIPv4(ip)) {
    const bytes = Buffer.allocUnsafe(4);
    let i = 0;
    for (const octet of ip.split('.')) {
      bytes[i++] = Number(octet);
    }
    return { ip, bytes };
  }
  if (isIPv6(ip)) {
    return { ip: ip.toLowerCase(), bytes: ipv6Bytes(ip) };
  }
  return null;
}

function ipv6Bytes(ip: string): Buffer {
  const bytes = Buffer.alloc(16);
  const zone = ip.indexOf('%');
  let text = zone === -1 ? ip : ip.slice(0, zone);
  // A trailing dotted quad (::1.2.3.4) holds the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [headText, tailText] = text.split('::');
  const head = headText ? headText.split(':') : [];
  const tail = tailText ? tailText.split(':') : [];
  const groups =
    tailText === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}
