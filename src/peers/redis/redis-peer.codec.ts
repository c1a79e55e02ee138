import { ipv4Text, ipv6Text } from 'src/peers/ip-text.util';
import { ANNOUNCE_NUMBERS } from 'src/peers/redis/announce.lua';
import type { AnnounceEvent, PeerView, PendingAccount, SelectedPeers } from 'src/peers/peer-store.types';

/*
 * Binary layouts shared with the Lua scripts (announce.lua.ts). Integers are big-endian; byte counts and times are
 * IEEE doubles, exact up to 2^53.
 *   peer field (24)  = user id (uint32) .. peer id (20)
 *   member           = peer field .. ip (4|16) .. port (uint16)
 *   peer record      = flags (1: seeder) .. uploaded .. downloaded .. left .. last announce (doubles) .. ip .. port
 *   pending account  = credited up, down, raw up, raw down, seed ms, completedAt (-1: none), first, last (doubles)
 *                      .. last ip (text); keyed by the 4-byte user id
 */
const FIELD_BYTES = 24;
const RECORD_HEADER = 33;
const ACCOUNT_HEADER = 64;

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

/** The peer's sorted-set member: its identity followed by its compact address. */
export function encodeMember(userId: number, peerId: Buffer, ipBytes: Buffer, port: number): Buffer {
  checkUserId(userId);
  const member = Buffer.allocUnsafe(FIELD_BYTES + ipBytes.length + 2);
  member.writeUInt32BE(userId, 0);
  peerId.copy(member, 4, 0, 20);
  ipBytes.copy(member, FIELD_BYTES);
  member.writeUInt16BE(port, FIELD_BYTES + ipBytes.length);
  return member;
}

/** The announce script's numbers, in the order of ANNOUNCE_LUA's ARGV[3]. */
export function encodeAnnounceNumbers(numbers: readonly number[]): Buffer {
  const packed = Buffer.allocUnsafe(ANNOUNCE_NUMBERS);
  for (let i = 0; i < ANNOUNCE_NUMBERS / 8; i++) {
    packed.writeDoubleBE(numbers[i], i * 8);
  }
  return packed;
}

const IPV4_MEMBER = FIELD_BYTES + 6;

/**
 * Packs sampled members (seeders first) into the wire's compact forms: at most `numwant` peers, none of `userId`'s.
 */
export function packSampledPeers(
  userId: number,
  samples: readonly Buffer[][],
  numwant: number,
  wantPeerIds: boolean,
): SelectedPeers {
  const chosen: Buffer[] = [];
  let v4 = 0;
  for (const members of samples) {
    for (const m of members) {
      if (chosen.length < numwant && m.readUInt32BE(0) !== userId) {
        chosen.push(m);
        v4 += m.length === IPV4_MEMBER ? 1 : 0;
      }
    }
  }
  const v6 = chosen.length - v4;
  const compact4 = Buffer.allocUnsafe(v4 * 6);
  const compact6 = Buffer.allocUnsafe(v6 * 18);
  const ids4 = wantPeerIds ? Buffer.allocUnsafe(v4 * 20) : null;
  const ids6 = wantPeerIds ? Buffer.allocUnsafe(v6 * 20) : null;
  let i4 = 0;
  let i6 = 0;
  for (const m of chosen) {
    if (m.length === IPV4_MEMBER) {
      m.copy(compact4, i4 * 6, FIELD_BYTES);
      if (ids4) {
        m.copy(ids4, i4 * 20, 4, FIELD_BYTES);
      }
      i4++;
    } else {
      m.copy(compact6, i6 * 18, FIELD_BYTES);
      if (ids6) {
        m.copy(ids6, i6 * 20, 4, FIELD_BYTES);
      }
      i6++;
    }
  }
  return { compact4, compact6, ids4, ids6 };
}

/** A live-or-not peer from its hash field and record. */
export function decodePeer(field: Buffer, record: Buffer): PeerView {
  const ipv6 = record.length - RECORD_HEADER === 18;
  const ipLength = ipv6 ? 16 : 4;
  return {
    userId: field.readUInt32BE(0),
    peerId: Buffer.from(field.subarray(4, FIELD_BYTES)),
    ip: ipv6 ? ipv6Text(record, RECORD_HEADER) : ipv4Text(record.readUInt32BE(RECORD_HEADER)),
    port: record.readUInt16BE(RECORD_HEADER + ipLength),
    seeder: record[0] === 1,
    uploaded: record.readDoubleBE(1),
    downloaded: record.readDoubleBE(9),
    left: record.readDoubleBE(17),
    lastAnnounce: record.readDoubleBE(25),
  };
}

/** Just the parts of a record that the user index needs: is it live at `cutoff`, and is it seeding. */
export function recordState(record: Buffer): { lastAnnounce: number; seeder: boolean } {
  return { lastAnnounce: record.readDoubleBE(25), seeder: record[0] === 1 };
}

export function decodePendingAccount(infoHash: string, field: Buffer, value: Buffer): PendingAccount {
  const completedAt = value.readDoubleBE(40);
  return {
    userId: field.readUInt32BE(0),
    infoHash,
    uploaded: value.readDoubleBE(0),
    downloaded: value.readDoubleBE(8),
    rawUploaded: value.readDoubleBE(16),
    rawDownloaded: value.readDoubleBE(24),
    seedTime: value.readDoubleBE(32),
    completedAt: completedAt < 0 ? null : completedAt,
    firstAnnounce: value.readDoubleBE(48),
    lastAnnounce: value.readDoubleBE(56),
    lastIp: value.toString('utf8', ACCOUNT_HEADER),
  };
}
