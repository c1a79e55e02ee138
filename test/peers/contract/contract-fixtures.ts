import { randomBytes } from 'node:crypto';
import type { PeerStore } from 'src/peers/peer-store';
import type {
  AnnounceEvent,
  AnnounceResult,
  CheatFlag,
  PeerAnnounce,
  PeerStoreRules,
  PendingAccount,
} from 'src/peers/peer-store.types';

/** What every contract section gets: a fresh, empty store per test and the TTL it was built with. */
export interface ContractContext {
  readonly store: PeerStore;
  readonly ttlMs: number;
  /** A realistic "now" (ms) taken when the test starts; tests move time forward from it. */
  readonly t0: number;
  /** Another empty store of the same kind, built with these rules; cleaned up after the test. */
  withRules(rules: Partial<PeerStoreRules>): Promise<PeerStore>;
}

export function newInfoHash(): string {
  return randomBytes(20).toString('hex');
}

/** A 20-byte peer id that is distinct per (userId, n) and looks like a real client's. */
export function peerIdOf(userId: number, n = 0): Buffer {
  return Buffer.from(`-qB4650-${userId.toString().padStart(8, '0')}${n.toString().padStart(4, '0')}`, 'latin1');
}

/** Default port, so that tests can tell returned peers apart: 1000 + userId * 10 + n (userId < 6000, n < 10). */
export function portOf(userId: number, n = 0): number {
  return 1000 + userId * 10 + n;
}

export interface PeerSpec {
  infoHash: string;
  userId: number;
  now: number;
  /** Which of the user's clients (default 0); picks the peer id and default port. */
  n?: number;
  peerId?: Buffer;
  ip?: string;
  port?: number;
  left?: number;
  uploaded?: number;
  downloaded?: number;
  event?: AnnounceEvent;
  numwant?: number;
  wantPeerIds?: boolean;
  uploadFactor?: number;
  downloadFactor?: number;
}

export function announceOf(spec: PeerSpec): PeerAnnounce {
  const n = spec.n ?? 0;
  const ip = spec.ip ?? `10.1.${spec.userId % 256}.${n + 1}`;
  const event = spec.event ?? 'none';
  return {
    infoHash: spec.infoHash,
    userId: spec.userId,
    peerId: spec.peerId ?? peerIdOf(spec.userId, n),
    ip,
    ipBytes: ipBytesOf(ip),
    port: spec.port ?? portOf(spec.userId, n),
    uploaded: spec.uploaded ?? 0,
    downloaded: spec.downloaded ?? 0,
    left: spec.left ?? 0,
    event,
    numwant: spec.numwant ?? (event === 'stopped' ? 0 : 50),
    wantPeerIds: spec.wantPeerIds ?? false,
    now: spec.now,
    uploadFactor: spec.uploadFactor ?? 1,
    downloadFactor: spec.downloadFactor ?? 1,
  };
}

export function announce(store: PeerStore, spec: PeerSpec): Promise<AnnounceResult> {
  return store.announce(announceOf(spec));
}

/** Dotted IPv4 or IPv6 text (with `::`) to 4 or 16 bytes. Test-only, no validation. */
export function ipBytesOf(ip: string): Buffer {
  if (!ip.includes(':')) {
    return Buffer.from(ip.split('.').map(Number));
  }
  const [head, tail] = ip.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Ports of the returned peers, IPv4 first, in answer order. */
export function returnedPorts(result: AnnounceResult): number[] {
  const ports: number[] = [];
  for (let i = 0; i < result.peers.compact4.length; i += 6) {
    ports.push(result.peers.compact4.readUInt16BE(i + 4));
  }
  for (let i = 0; i < result.peers.compact6.length; i += 18) {
    ports.push(result.peers.compact6.readUInt16BE(i + 16));
  }
  return ports;
}

export function ledgerKey(userId: number, infoHash: string): string {
  return `${userId}:${infoHash}`;
}

/**
 * Claim and acknowledge until nothing is pending, merging accounts of the same (user, torrent)
 * the way the database would, so tests do not depend on how a store slices its batches.
 */
export async function drainLedger(
  store: PeerStore,
  maxAccounts = 1000,
  flags: CheatFlag[] = [],
): Promise<Map<string, PendingAccount>> {
  const merged = new Map<string, PendingAccount>();
  for (let guard = 0; guard < 10000; guard++) {
    const batch = await store.claimPending(maxAccounts);
    if (!batch) {
      return merged;
    }
    flags.push(...(batch.flags ?? []));
    for (const a of batch.accounts) {
      const key = ledgerKey(a.userId, a.infoHash);
      const prev = merged.get(key);
      merged.set(key, prev ? mergeAccounts(prev, a) : { ...a });
    }
    await store.ackPending(batch.id);
  }
  throw new Error('claimPending never returned null');
}

function mergeAccounts(a: PendingAccount, b: PendingAccount): PendingAccount {
  const later = b.lastAnnounce >= a.lastAnnounce ? b : a;
  return {
    userId: a.userId,
    infoHash: a.infoHash,
    uploaded: a.uploaded + b.uploaded,
    downloaded: a.downloaded + b.downloaded,
    rawUploaded: a.rawUploaded + b.rawUploaded,
    rawDownloaded: a.rawDownloaded + b.rawDownloaded,
    seedTime: a.seedTime + b.seedTime,
    completedAt:
      a.completedAt === null
        ? b.completedAt
        : b.completedAt === null
          ? a.completedAt
          : Math.min(a.completedAt, b.completedAt),
    firstAnnounce: Math.min(a.firstAnnounce, b.firstAnnounce),
    lastAnnounce: Math.max(a.lastAnnounce, b.lastAnnounce),
    lastIp: later.lastIp,
  };
}

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
