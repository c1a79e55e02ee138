/** The event a client reports; `none` is a regular re-announce. `paused` and `empty` are treated as `none`. */
export type AnnounceEvent = 'none' | 'started' | 'completed' | 'stopped' | 'paused';

/**
 * One validated announce, as the peer store needs it. A peer is identified within a torrent by (userId, peerId).
 * Byte counts are running totals sent by the client (integers, exact up to 2^53-1).
 */
export interface PeerAnnounce {
  /** 40 lowercase hex characters. */
  infoHash: string;
  userId: number;
  /** 20 raw bytes. */
  peerId: Buffer;
  /** Normalized text: dotted IPv4 (IPv4-mapped IPv6 already unwrapped) or IPv6. */
  ip: string;
  /** The same address as 4 (IPv4) or 16 (IPv6) bytes. */
  ipBytes: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: AnnounceEvent;
  /** Peers wanted (already defaulted and capped); 0 for stopped. */
  numwant: number;
  /** Also return each selected peer's peer_id (non-compact answers without no_peer_id). */
  wantPeerIds: boolean;
  /** Milliseconds since the epoch; passed in so that tests control time. */
  now: number;
  /**
   * Credit factors for this (user, torrent): user multiplier × torrent multiplier, already combined.
   * downloadFactor is 0 on freeleech. Credited bytes = floor(delta × factor).
   */
  uploadFactor: number;
  downloadFactor: number;
}

/** Peers chosen for an announce answer, packed the way the wire wants them. */
export interface SelectedPeers {
  /** n × 6 bytes: IPv4 (4) + port (2, big-endian). */
  compact4: Buffer;
  /** m × 18 bytes: IPv6 (16) + port (2, big-endian). */
  compact6: Buffer;
  /** n × 20 bytes, the peer_ids of compact4 in the same order; only when wantPeerIds. */
  ids4: Buffer | null;
  /** m × 20 bytes, the peer_ids of compact6; only when wantPeerIds. */
  ids6: Buffer | null;
}

export interface SwarmCounts {
  /** Seeders (left = 0). */
  complete: number;
  /** Leechers (left > 0). */
  incomplete: number;
}

export interface AnnounceResult extends SwarmCounts {
  peers: SelectedPeers;
}

/** A live peer as the admin API shows it. */
export interface PeerView {
  userId: number;
  peerId: Buffer;
  ip: string;
  port: number;
  seeder: boolean;
  uploaded: number;
  downloaded: number;
  left: number;
  /** Milliseconds since the epoch. */
  lastAnnounce: number;
}

export interface SwarmUsers {
  seeders: number[];
  leechers: number[];
}

export interface UserTorrents {
  seeding: string[];
  leeching: string[];
}

export interface PeerTotals {
  peers: number;
  seeders: number;
  leechers: number;
}

/**
 * Accounting accumulated for one (user, torrent) since the last flush. Sums for the counters,
 * latest/earliest for the times. Times are milliseconds since the epoch.
 */
export interface PendingAccount {
  userId: number;
  infoHash: string;
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
  /** Milliseconds seeded, summed over consecutive announces at most PEER_TTL apart. */
  seedTime: number;
  /** Set when an event=completed was seen. */
  completedAt: number | null;
  firstAnnounce: number;
  lastAnnounce: number;
  lastIp: string;
}

/** Accounting in the pending ledger (open or claimed), not yet acknowledged as written to PostgreSQL. */
export interface PendingBacklog {
  /** (user, torrent) rows. */
  accounts: number;
  /** Credited upload plus download in those rows. */
  bytes: number;
  /** True when read from a sample of the swarms with a ledger and scaled up (Redis, a large backlog). */
  estimated: boolean;
}

/** A claimed slice of the pending ledger. It stays claimed (and is handed out again) until acknowledged. */
export interface PendingBatch {
  /** Unique and stable: a retried batch keeps its id, so the database can apply it exactly once. */
  id: string;
  accounts: PendingAccount[];
}

/**
 * The store cannot take this announce's accounting now (its pending ledger is full because the database has been
 * away for long). Nothing was changed; the client should come back later.
 */
export class PendingLedgerFullError extends Error {
  constructor() {
    super('The pending accounting ledger is full');
    this.name = 'PendingLedgerFullError';
  }
}
