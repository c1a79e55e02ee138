import { ipv4Text, ipv6Text } from 'src/peers/ip-text.util';
import { ANNOUNCE_NUMBERS, ANNOUNCE_REPLY_HEADER } from 'src/peers/redis/announce.lua';
import { type AnnounceEvent, type PeerEndpoint, type PeerView, type SelectedPeers } from 'src/peers/peer-store.types';

/*
 * Binary layouts shared with the Lua scripts (announce.lua.ts). Integers are big-endian; byte counts and times are
 * IEEE doubles, exact up to 2^53.
 *   peer field (24)  = user id (uint32) .. peer id (20)
 *   address          = ip (4|16) .. port (uint16) .. address length (one byte: 6|18), or for a dual-stack peer
 *                      (README: dual-stack peers) IPv4 ip .. port .. its last announce (double) .. IPv6 ip .. port ..
 *                      its last announce .. 40; the script writes those (announce.lua.ts), Node sends single ones
 *   member           = peer field .. address
 *   peer record      = flags (1: seeder) .. uploaded .. downloaded .. left .. last announce (doubles) .. address
 *   pending account and cheat flag: redis-ledger.codec.ts
 * The address ends with its own length so that members concatenated by the script (one bulk string instead of an
 * array of them: a fifth of the Node CPU per announce less) can be split again, reading from the end.
 */
const FIELD_BYTES = 24;
const RECORD_HEADER = 33;
/** A dual-stack address's length byte, and where its parts start. */
const DUAL_ADDRESS = 40;
const DUAL_SEEN4 = 6;
const DUAL_IPV6 = 14;
const DUAL_SEEN6 = 32;

/** Event codes of the announce script; paused (and the wire's empty) count as a regular announce. */
export const EVENT_CODES: Record<AnnounceEvent, string> = {
  none: 'n',
  paused: 'n',
  started: 's',
  completed: 'c',
  stopped: 'x',
};

function checkUserId(userId: number): void {
  if (!Number.isInteger(userId) || userId < 0 || userId > 0xffffffff) {
    throw new RangeError(`user id ${userId} does not fit the Redis peer store's 32-bit field`);
  }
}

/** The peer's sorted-set member: its identity followed by its address. */
export function encodeMember(userId: number, peerId: Buffer, ipBytes: Buffer, port: number): Buffer {
  checkUserId(userId);
  const addressLength = ipBytes.length + 2;
  const member = Buffer.allocUnsafe(FIELD_BYTES + addressLength + 1);
  member.writeUInt32BE(userId, 0);
  peerId.copy(member, 4, 0, 20);
  ipBytes.copy(member, FIELD_BYTES);
  member.writeUInt16BE(port, FIELD_BYTES + ipBytes.length);
  member[FIELD_BYTES + addressLength] = addressLength;
  return member;
}

/** What the announce script needs when it keeps the user's download slots (its 7th key). */
export interface ScriptSlots {
  infoHash: string;
  /** The user's download slots. */
  slots: number;
  /** How often a live leecher's entry is rewritten (redis-download-slots.ts slotRefreshMs). */
  refreshMs: number;
}

/**
 * The announce script's numbers, in the order of ANNOUNCE_LUA's ARGV[3], followed by the info hash's 20 bytes, the
 * slots and the refresh period when the script keeps the user's download slots (its 7th key).
 */
export function encodeAnnounceNumbers(numbers: readonly number[], slots?: ScriptSlots): Buffer {
  const packed = Buffer.allocUnsafe(ANNOUNCE_NUMBERS + (slots === undefined ? 0 : 36));
  for (let i = 0; i < ANNOUNCE_NUMBERS / 8; i++) {
    packed.writeDoubleBE(numbers[i], i * 8);
  }
  if (slots !== undefined) {
    packed.write(slots.infoHash, ANNOUNCE_NUMBERS, 'hex');
    packed.writeDoubleBE(slots.slots, ANNOUNCE_NUMBERS + 20);
    packed.writeDoubleBE(slots.refreshMs, ANNOUNCE_NUMBERS + 28);
  }
  return packed;
}

/** One announce's reply from the announce script (announce.lua.ts). */
export interface AnnounceReply {
  /** Live seeders and leechers; -1 when the caller's kept members are current. */
  complete: number;
  incomplete: number;
  /** Each set's members, concatenated. */
  seeders: Buffer;
  leechers: Buffer;
  indexDue: boolean;
  /** The swarm's ledger went from empty to non-empty. */
  dirty: boolean;
  /** 0 none (or expired), 1 leecher, 2 seeder. */
  prevRole: number;
  prevLastAnnounce: number;
  /** The version of whole sets; 0 for windows. */
  version: number;
  /** The oldest whole member's last announce. */
  oldest: number;
  /** A VERDICT_* code: applied, refused (nothing was changed), applied with a warning, a duplicate, or observed. */
  verdict: number;
  /** What the verdict's sentence needs: the limit, or the ms left of the minimum interval. */
  verdictDetail: number;
  /** Applied: the user's download slots, in observe mode, would have refused it (slots kept by the script only). */
  slotsObserved: boolean;
}

/** The announce script's verdicts (announce.lua.ts). */
export const VERDICT_APPLIED = 0;
export const VERDICT_PEER_LIMIT = 1;
export const VERDICT_TOO_SOON_REFUSED = 2;
export const VERDICT_TOO_SOON_WARNED = 3;
export const VERDICT_DUPLICATE = 4;
/** Applied: the peer limit, in observe mode, would have refused it. */
export const VERDICT_PEER_LIMIT_OBSERVED = 5;
/** Applied with members: strict pacing, in observe mode, would have refused it. */
export const VERDICT_TOO_SOON_OBSERVED = 6;
/** Refused, nothing changed: the announce would start a leech, and the user has download slots (take one first). */
export const VERDICT_NEEDS_SLOT = 7;
/** Refused: the user's download slots are full (detail: the slots); with the slots kept by the script only. */
export const VERDICT_SLOTS_REFUSED = 8;

/** The counts of an announce that failed inside the script call; its message stands where the seeders would. */
const FAILED_COUNT = -2;

/** The replies of one call of the announce script, in the order of its announces: an Error for one that failed. */
export function decodeAnnounceReplies(replies: Buffer): (AnnounceReply | Error)[] {
  const decoded: (AnnounceReply | Error)[] = [];
  for (let at = 0; at < replies.length;) {
    const seedersAt = at + ANNOUNCE_REPLY_HEADER;
    const leechersAt = seedersAt + replies.readDoubleBE(at + 80);
    const end = leechersAt + replies.readDoubleBE(at + 88);
    if (end > replies.length) {
      throw new Error('Truncated announce reply');
    }
    const complete = replies.readDoubleBE(at);
    if (complete === FAILED_COUNT) {
      decoded.push(new Error(replies.toString('utf8', seedersAt, leechersAt)));
      at = end;
      continue;
    }
    decoded.push({
      complete,
      incomplete: replies.readDoubleBE(at + 8),
      indexDue: replies.readDoubleBE(at + 16) === 1,
      dirty: replies.readDoubleBE(at + 24) === 1,
      prevRole: replies.readDoubleBE(at + 32),
      prevLastAnnounce: replies.readDoubleBE(at + 40),
      version: replies.readDoubleBE(at + 48),
      oldest: replies.readDoubleBE(at + 56),
      verdict: replies.readDoubleBE(at + 64),
      verdictDetail: replies.readDoubleBE(at + 72),
      slotsObserved: replies.readDoubleBE(at + 96) === 1,
      seeders: replies.subarray(seedersAt, leechersAt),
      leechers: replies.subarray(leechersAt, end),
    });
    at = end;
  }
  return decoded;
}

/**
 * Packs sampled members into the wire's compact forms: at most `numwant` peers, none of `userId`'s. `samples` are
 * the script's concatenated windows, seeders first; members are taken from the end of each (order within a random
 * window does not matter). One walk copies each chosen endpoint (and peer id) into scratch buffers kept by the
 * module, then each family's bytes go out in one copy: no callback and no allocation per member. A dual-stack
 * member is sent by the endpoint of the requester's family (`requesterIpv6`) while that one is live (last seen at or
 * after `liveSince`), else by its other one.
 */
export function packSampledPeers(
  userId: number,
  samples: readonly Buffer[],
  numwant: number,
  wantPeerIds: boolean,
  requesterIpv6 = false,
  liveSince = -Infinity,
): SelectedPeers {
  let bytes = 0;
  for (const sample of samples) {
    bytes += sample.length;
  }
  const scratch = scratchFor(Math.max(0, Math.min(numwant, Math.floor(bytes / SMALLEST_MEMBER))));
  let v4 = 0;
  let v6 = 0;
  let chosen = 0;
  for (const sample of samples) {
    for (let end = sample.length; end > 0 && chosen < numwant;) {
      const addressLength = sample[end - 1];
      const start = end - 1 - addressLength - FIELD_BYTES;
      if (start < 0 || (addressLength !== 6 && addressLength !== 18 && addressLength !== DUAL_ADDRESS)) {
        throw new Error('Malformed member in a sampled window');
      }
      if (sample.readUInt32BE(start) !== userId) {
        let at = start + FIELD_BYTES;
        let ipv6 = addressLength === 18;
        if (
          addressLength === DUAL_ADDRESS &&
          (requesterIpv6
            ? sample.readDoubleBE(at + DUAL_SEEN6) >= liveSince
            : sample.readDoubleBE(at + DUAL_SEEN4) < liveSince)
        ) {
          at += DUAL_IPV6;
          ipv6 = true;
        }
        // Byte loops rather than Buffer#copy: a copy call costs more than the 6 to 20 bytes it moves. One branch per
        // family, each with fixed buffers and lengths: the same code with ternaries measured 6-10% slower a call.
        if (ipv6) {
          copyBytes(sample, at, scratch.compact6, v6 * 18, 18);
          if (wantPeerIds) {
            copyBytes(sample, start + 4, scratch.ids6, v6 * 20, 20);
          }
          v6++;
        } else {
          copyBytes(sample, at, scratch.compact4, v4 * 6, 6);
          if (wantPeerIds) {
            copyBytes(sample, start + 4, scratch.ids4, v4 * 20, 20);
          }
          v4++;
        }
        chosen++;
      }
      end = start;
    }
  }
  return {
    compact4: copyOut(scratch.compact4, v4 * 6),
    compact6: copyOut(scratch.compact6, v6 * 18),
    ids4: wantPeerIds ? copyOut(scratch.ids4, v4 * 20) : null,
    ids6: wantPeerIds ? copyOut(scratch.ids6, v6 * 20) : null,
  };
}

/** The fewest bytes a member takes: a peer field, an IPv4 endpoint and the length byte. */
const SMALLEST_MEMBER = FIELD_BYTES + 6 + 1;

interface PackScratch {
  peers: number;
  compact4: Buffer;
  compact6: Buffer;
  ids4: Buffer;
  ids6: Buffer;
}

let packScratch: PackScratch = scratchOf(64);

/** Room for `peers` chosen members of either family; grown, never shrunk (packSampledPeers is synchronous). */
function scratchFor(peers: number): PackScratch {
  if (peers > packScratch.peers) {
    packScratch = scratchOf(Math.max(peers, 2 * packScratch.peers));
  }
  return packScratch;
}

function scratchOf(peers: number): PackScratch {
  return {
    peers,
    compact4: Buffer.allocUnsafeSlow(peers * 6),
    compact6: Buffer.allocUnsafeSlow(peers * 18),
    ids4: Buffer.allocUnsafeSlow(peers * 20),
    ids6: Buffer.allocUnsafeSlow(peers * 20),
  };
}

/** The first `length` bytes of a scratch buffer, in a buffer of their own. */
function copyOut(scratch: Buffer, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  scratch.copy(out, 0, 0, length);
  return out;
}

function copyBytes(from: Buffer, fromAt: number, to: Buffer, toAt: number, length: number): void {
  for (let i = 0; i < length; i++) {
    to[toAt + i] = from[fromAt + i];
  }
}

/** A peer from its hash field and record, with its endpoints live at `liveSince` (ms), most recently seen first. */
export function decodePeer(field: Buffer, record: Buffer, liveSince: number): PeerView {
  const lastAnnounce = record.readDoubleBE(25);
  const endpoints = decodeEndpoints(record, lastAnnounce, liveSince);
  return {
    userId: field.readUInt32BE(0),
    peerId: Buffer.from(field.subarray(4, FIELD_BYTES)),
    ip: endpoints[0].ip,
    port: endpoints[0].port,
    endpoints,
    seeder: record[0] === 1,
    uploaded: record.readDoubleBE(1),
    downloaded: record.readDoubleBE(9),
    left: record.readDoubleBE(17),
    lastAnnounce,
  };
}

function decodeEndpoints(record: Buffer, lastAnnounce: number, liveSince: number): PeerEndpoint[] {
  const at = RECORD_HEADER;
  if (record[record.length - 1] !== DUAL_ADDRESS) {
    const ipv6 = record[record.length - 1] === 18;
    return [
      {
        ip: ipv6 ? ipv6Text(record, at) : ipv4Text(record.readUInt32BE(at)),
        port: record.readUInt16BE(at + (ipv6 ? 16 : 4)),
        family: ipv6 ? 'ipv6' : 'ipv4',
        lastSeen: lastAnnounce,
      },
    ];
  }
  const both: PeerEndpoint[] = [
    {
      ip: ipv4Text(record.readUInt32BE(at)),
      port: record.readUInt16BE(at + 4),
      family: 'ipv4',
      lastSeen: record.readDoubleBE(at + DUAL_SEEN4),
    },
    {
      ip: ipv6Text(record, at + DUAL_IPV6),
      port: record.readUInt16BE(at + DUAL_IPV6 + 16),
      family: 'ipv6',
      lastSeen: record.readDoubleBE(at + DUAL_SEEN6),
    },
  ];
  const live = both.filter((e) => e.lastSeen >= liveSince).sort((x, y) => y.lastSeen - x.lastSeen);
  return live.length > 0 ? live : both.sort((x, y) => y.lastSeen - x.lastSeen);
}

/** Just the parts of a record that the user index needs: is it live at `cutoff`, and is it seeding. */
export function recordState(record: Buffer): { lastAnnounce: number; seeder: boolean } {
  return { lastAnnounce: record.readDoubleBE(25), seeder: record[0] === 1 };
}
