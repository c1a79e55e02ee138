/**
 * BEP 15's packets, with BEP 41's options after an announce. Pure functions: bytes in, a decoded request (or why it
 * is malformed) out; outcome in, bytes out. Decoding never throws and does bounded work: a packet is at most what
 * one datagram holds, and every loop walks it once.
 */

/** The connect request's magic, 0x41727101980. */
export const PROTOCOL_ID = 0x41727101980n;

export enum UdpAction {
  Connect = 0,
  Announce = 1,
  Scrape = 2,
  Error = 3,
}

const CONNECT_LENGTH = 16;
const ANNOUNCE_LENGTH = 98;
const SCRAPE_HEADER = 16;
/** BEP 15: "Up to about 74 torrents can be scraped at once"; a larger packet would not fit a 1500-byte MTU. */
export const MAX_UDP_SCRAPE_HASHES = 74;
/** BEP 41 URL data beyond this is no tracker URL we issued; the packet is refused. */
export const MAX_URL_DATA = 1024;

/** BEP 41 option types. */
const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_URL_DATA = 2;

export interface UdpConnectRequest {
  action: UdpAction.Connect;
  transactionId: number;
}

export interface UdpAnnounceRequest {
  action: UdpAction.Announce;
  /** 8 bytes, a view into the packet. */
  connectionId: Buffer;
  transactionId: number;
  /** 20 bytes each, views into the packet. */
  infoHash: Buffer;
  peerId: Buffer;
  downloaded: bigint;
  left: bigint;
  uploaded: bigint;
  /** 0 none, 1 completed, 2 started, 3 stopped; anything else is the core's to refuse. */
  event: number;
  /** -1 (the default) or a count; signed as BEP 15 has it. */
  numWant: number;
  port: number;
  /** BEP 41 URL data joined across its options (`/<passkey>/announce?…`), as latin1 text; null when none was sent. */
  urlData: string | null;
}

export interface UdpScrapeRequest {
  action: UdpAction.Scrape;
  connectionId: Buffer;
  transactionId: number;
  infoHashes: Buffer[];
}

export type UdpRequest = UdpConnectRequest | UdpAnnounceRequest | UdpScrapeRequest;

/** A packet that is no request: `transactionId` is set when the packet was long enough to carry one. */
export interface UdpMalformed {
  action: 'malformed';
  transactionId: number | null;
  reason: string;
}

export function decodeUdpRequest(packet: Buffer): UdpRequest | UdpMalformed {
  if (packet.length < CONNECT_LENGTH) {
    return malformed(null, 'Packet too short.');
  }
  const action = packet.readUInt32BE(8) as UdpAction;
  const transactionId = packet.readUInt32BE(12);
  switch (action) {
    case UdpAction.Connect:
      return packet.readBigUInt64BE(0) === PROTOCOL_ID
        ? { action: UdpAction.Connect, transactionId }
        : malformed(transactionId, 'Bad protocol id.');
    case UdpAction.Announce:
      return decodeAnnounce(packet, transactionId);
    case UdpAction.Scrape:
      return decodeScrape(packet, transactionId);
    case UdpAction.Error:
    default:
      return malformed(transactionId, 'Unknown action.');
  }
}

function decodeAnnounce(packet: Buffer, transactionId: number): UdpAnnounceRequest | UdpMalformed {
  if (packet.length < ANNOUNCE_LENGTH) {
    return malformed(transactionId, 'Announce too short.');
  }
  const urlData = readOptions(packet, ANNOUNCE_LENGTH);
  if (urlData instanceof Error) {
    return malformed(transactionId, urlData.message);
  }
  return {
    action: UdpAction.Announce,
    connectionId: packet.subarray(0, 8),
    transactionId,
    infoHash: packet.subarray(16, 36),
    peerId: packet.subarray(36, 56),
    downloaded: packet.readBigUInt64BE(56),
    left: packet.readBigUInt64BE(64),
    uploaded: packet.readBigUInt64BE(72),
    event: packet.readUInt32BE(80),
    // 84: the IP field, never read: the peer's address is the packet's source. 88: the key, unused.
    numWant: packet.readInt32BE(92),
    port: packet.readUInt16BE(96),
    urlData,
  };
}

/**
 * BEP 41: option type, then (for types other than EndOfOptions and NOP) a length byte and that many bytes. URL data
 * may span several options, which are joined. An option of another type is skipped by its length. An option that
 * runs past the packet's end is malformed.
 */
function readOptions(packet: Buffer, start: number): string | null | Error {
  let urlData: string | null = null;
  let at = start;
  while (at < packet.length) {
    const type = packet[at++];
    if (type === OPTION_END) {
      break;
    }
    if (type === OPTION_NOP) {
      continue;
    }
    if (at >= packet.length) {
      return new Error('Truncated option.');
    }
    const length = packet[at++];
    if (at + length > packet.length) {
      return new Error('Truncated option.');
    }
    if (type === OPTION_URL_DATA) {
      urlData = (urlData ?? '') + packet.toString('latin1', at, at + length);
      if (urlData.length > MAX_URL_DATA) {
        return new Error('URL data too long.');
      }
    }
    at += length;
  }
  return urlData;
}

function decodeScrape(packet: Buffer, transactionId: number): UdpScrapeRequest | UdpMalformed {
  const count = (packet.length - SCRAPE_HEADER) / 20;
  if (count < 1 || !Number.isInteger(count)) {
    return malformed(transactionId, 'Scrape must carry whole info hashes.');
  }
  if (count > MAX_UDP_SCRAPE_HASHES) {
    return malformed(transactionId, 'Too many info hashes.');
  }
  const infoHashes = new Array<Buffer>(count);
  for (let i = 0; i < count; i++) {
    infoHashes[i] = packet.subarray(SCRAPE_HEADER + i * 20, SCRAPE_HEADER + (i + 1) * 20);
  }
  return { action: UdpAction.Scrape, connectionId: packet.subarray(0, 8), transactionId, infoHashes };
}

function malformed(transactionId: number | null, reason: string): UdpMalformed {
  return { action: 'malformed', transactionId, reason };
}

export function encodeConnectResponse(transactionId: number, connectionId: Buffer): Buffer {
  const out = Buffer.allocUnsafe(16);
  out.writeUInt32BE(UdpAction.Connect, 0);
  out.writeUInt32BE(transactionId, 4);
  connectionId.copy(out, 8, 0, 8);
  return out;
}

export interface UdpAnnounceAnswer {
  interval: number;
  leechers: number;
  seeders: number;
  /** Compact peers of the packet's own family: 6 bytes each over IPv4, 18 over IPv6 (BEP 15). */
  peers: Buffer;
}

export function encodeAnnounceResponse(transactionId: number, answer: UdpAnnounceAnswer): Buffer {
  const out = Buffer.allocUnsafe(20 + answer.peers.length);
  out.writeUInt32BE(UdpAction.Announce, 0);
  out.writeUInt32BE(transactionId, 4);
  out.writeUInt32BE(clampUint32(answer.interval), 8);
  out.writeUInt32BE(clampUint32(answer.leechers), 12);
  out.writeUInt32BE(clampUint32(answer.seeders), 16);
  answer.peers.copy(out, 20);
  return out;
}

export interface UdpScrapeEntry {
  seeders: number;
  completed: number;
  leechers: number;
}

/** One entry per requested hash, in the request's order (BEP 15 has no keys); unknown hashes count zeros. */
export function encodeScrapeResponse(transactionId: number, entries: UdpScrapeEntry[]): Buffer {
  const out = Buffer.allocUnsafe(8 + 12 * entries.length);
  out.writeUInt32BE(UdpAction.Scrape, 0);
  out.writeUInt32BE(transactionId, 4);
  let at = 8;
  for (const { seeders, completed, leechers } of entries) {
    out.writeUInt32BE(clampUint32(seeders), at);
    out.writeUInt32BE(clampUint32(completed), at + 4);
    out.writeUInt32BE(clampUint32(leechers), at + 8);
    at += 12;
  }
  return out;
}

/**
 * An error packet. `maxLength` caps the whole packet (the message is cut to fit): an answer to an address that has
 * not proven itself is never larger than what it sent, so a spoofed source cannot be flooded through us.
 */
export function encodeErrorResponse(transactionId: number, message: string, maxLength = Infinity): Buffer | null {
  const text = Buffer.from(message, 'utf8');
  const room = Math.min(text.length, maxLength - 8);
  if (room < 0) {
    return null;
  }
  const out = Buffer.allocUnsafe(8 + room);
  out.writeUInt32BE(UdpAction.Error, 0);
  out.writeUInt32BE(transactionId, 4);
  text.copy(out, 8, 0, room);
  return out;
}

function clampUint32(value: number): number {
  return value < 0 ? 0 : value > 0xffffffff ? 0xffffffff : value;
}
