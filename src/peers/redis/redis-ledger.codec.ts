import { CHEAT_FLAG_KINDS, type AnnounceEvent, type CheatFlag, type PendingAccount } from 'src/peers/peer-store.types';

/*
 * The pending ledger's binary layouts (a swarm's hash, written by announce.lua.ts, read by the claim). Integers are
 * big-endian; byte counts and times are IEEE doubles, exact up to 2^53.
 *   pending account  = credited up, down, raw up, raw down, seed ms, completedAt (-1: none), first, last (doubles)
 *                      .. last ip (text); keyed by the 4-byte user id
 *   cheat flag       = in the same ledger hash, keyed by user id (4) .. announced at (double) .. kind (1 byte: 1
 *                      upload without leechers, 2 upload rate, 3 completed without download, 0 a policy's kind,
 *                      named after the peer id) .. peer id (20) [.. kind];
 *                      value: uploaded, downloaded, left, previous uploaded (-1: no previous), downloaded, left,
 *                      last announce (-1: none), live seeders, live leechers, upload rate, withheld (0|1)
 *                      (doubles) .. event code (one character)
 */

/** Where a pending account's last ip (text) starts. */
const ACCOUNT_HEADER = 64;

const EVENT_OF_CODE: Record<string, AnnounceEvent> = { n: 'none', s: 'started', c: 'completed', x: 'stopped' };

/** A ledger field is an account's (the 4-byte user id) or a cheat flag's (longer). */
export function isFlagField(field: Buffer): boolean {
  return field.length > 4;
}

export function decodeCheatFlag(infoHash: string, field: Buffer, value: Buffer): CheatFlag {
  const d = (i: number) => value.readDoubleBE(i * 8);
  const lastAnnounce = d(6);
  return {
    userId: field.readUInt32BE(0),
    infoHash,
    kind: field[12] === 0 ? field.toString('latin1', 33) : (CHEAT_FLAG_KINDS[field[12] - 1] ?? `unknown_${field[12]}`),
    announcedAt: field.readDoubleBE(4),
    evidence: {
      announce: {
        peerId: field.toString('hex', 13, 33),
        uploaded: d(0),
        downloaded: d(1),
        left: d(2),
        event: EVENT_OF_CODE[value.toString('latin1', 88, 89)] ?? 'none',
      },
      previous: lastAnnounce < 0 ? null : { uploaded: d(3), downloaded: d(4), left: d(5), lastAnnounce },
      swarm: { seeders: d(7), leechers: d(8) },
      uploadRate: d(9),
      withheld: d(10) === 1,
    },
  };
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
