import { ipv4Text, ipv6Text } from 'src/peers/ip-text.util';
import { ANNOUNCE_NUMBERS } from 'src/peers/redis/announce.lua';
import type { AnnounceEvent, PeerView, PendingAccount, SelectedPeers } from 'src/peers/peer-store.types';

/*
 * Binary layouts shared with the Lua scripts (announce.lua.ts). Integers are big-endian; byte counts and times are
 * IEEE doubles, exact up to 2^53.
 *   peer field (24)  = user id (uint32) .. peer id (20)
 *   address          = ip (4|16) .. port (uint16) .. address length (one byte: 6|18)
 *   member           = peer field .. address
 *   peer record      = flags (1: seeder) .. uploaded .. downloaded .. left .. last announce (doubles) .. address
 *   pending account  = credited up, down, raw up, raw down, seed ms, completedAt (-1: none), first, last (doubles)
 *                      .. last ip (text); keyed by the 4-byte user id
 * The address ends with its own length so that members concatenated by the script (one bulk string instead of an
 * array of them: a fifth of the Node CPU per announce less) can be split again, reading from the end.
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

/** The announce script's numbers, in the order of ANNOUNCE_LUA's ARGV[3]. */
export function encodeAnnounceNumbers(numbers: readonly number[]): Buffer {
  const packed = Buffer.allocUnsafe(ANNOUNCE_NUMBERS);
  for (let i = 0; i < ANNOUNCE_NUMBERS / 8; i++) {
    packed.writeDoubleBE(numbers[i], i * 8);
  }
  return packed;
}

/**
 * Packs sampled members into the wire's compact forms: at most `numwant` peers, none of `userId`'s. `samples` are
 * the script's concatenated windows, seeders first; members are taken from the end of each (order within a random
 * window does not matter).
 */
export function packSampledPeers(
  userId: number,
  samples: readonly Buffer[],
  numwant: number,
  wantPeerIds: boolean,
): SelectedPeers {
  const chosen: Array<[sample: Buffer, start: number, addressLength: number]> = [];
  let v4 = 0;
  for (const sample of samples) {
    for (let end = sample.length; end > 0 && chosen.length < numwant;) {
      const addressLength = sample[end - 1];
      const start = end - 1 - addressLength - FIELD_BYTES;
      if (start < 0) {
        throw new Error('Malformed member in a sampled window');
      }
      if (sample.readUInt32BE(start) !== userId) {
        chosen.push([sample, start, addressLength]);
        v4 += addressLength === 6 ? 1 : 0;
      }
      end = start;
    }
  }
  const v6 = chosen.length - v4;
  const compact4 = Buffer.allocUnsafe(v4 * 6);
  const compact6 = Buffer.allocUnsafe(v6 * 18);
  const ids4 = wantPeerIds ? Buffer.allocUnsafe(v4 * 20) : null;
  const ids6 = wantPeerIds ? Buffer.allocUnsafe(v6 * 20) : null;
  let i4 = 0;
  let i6 = 0;
  for (const [sample, start, addressLength] of chosen) {
    const address = start + FIELD_BYTES;
    if (addressLength === 6) {
      sample.copy(compact4, i4 * 6, address, address + 6);
      if (ids4) {
        sample.copy(ids4, i4 * 20, start + 4, address);
      }
      i4++;
    } else {
      sample.copy(compact6, i6 * 18, address, address + 18);
      if (ids6) {
        sample.copy(ids6, i6 * 20, start + 4, address);
      }
      i6++;
    }
  }
  return { compact4, compact6, ids4, ids6 };
}

/** A live-or-not peer from its hash field and record. */
export function decodePeer(field: Buffer, record: Buffer): PeerView {
  const ipv6 = record[record.length - 1] === 18;
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
