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
  /** Cheat flag kinds raised by announce policies ([a-z0-9_]), recorded with this announce's evidence. */
  policyFlags?: readonly string[];
  /**
   * The user's download slots (README: download slots): the most torrents it may leech at once. null or absent: no
   * limit, and no cost.
   */
  downloadSlots?: number | null;
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
  /** Set when a store rule turned the announce away: nothing was changed, and the counts and peers are empty. */
  refused?: StoreRefusal;
  /**
   * Lenient pacing: the announce came sooner than the minimum interval. It was applied as usual, but answered with
   * no peers; this long (ms) was left of the interval.
   */
  tooSoonByMs?: number;
  /**
   * The store rules in observe mode (PeerStoreRules.observed) that would have refused this announce, in the order the
   * store checks them; it was applied as an accepted one. Absent (no array made) when none would have.
   */
  wouldRefuse?: StoreRefusal[];
}

/** Why the store turned an announce away, decided in the same atomic step as the write it prevented. */
export type StoreRefusal =
  | {
      rule: 'peer-limit';
      /** MAX_PEERS_PER_USER_TORRENT: the user already has this many live peers in the swarm. */
      limit: number;
    }
  | {
      rule: 'download-slots';
      /** The user's download slots: it already leeches this many other torrents. */
      limit: number;
    }
  | {
      /** Strict pacing: a regular announce sooner than the minimum interval after the peer's previous one. */
      rule: 'pacing';
      /** What is left of the interval. */
      retryInMs: number;
    };

/** A rule the store enforces itself. */
export type StoreRule = StoreRefusal['rule'];

/**
 * Each store rule's name in POLICY_MODES and in tracker_policy_would_refuse_total{policy}, as the pipeline's steps
 * go by their class names.
 */
export const STORE_POLICIES: Readonly<Record<StoreRule, string>> = {
  'peer-limit': 'PeerLimit',
  'download-slots': 'DownloadSlots',
  pacing: 'AnnouncePacing',
};

/** ANNOUNCE_PACING (README): off, lenient (answered without peers, with a warning) or strict (refused). */
export type AnnouncePacing = 'off' | 'lenient' | 'strict';

/**
 * With pacing on, an announce of a live peer with the same totals and left as its previous one, at most this long
 * after it, and no event but `started`, is a duplicate (libtorrent sends one per listening socket): answered from the
 * swarm as it is, and nothing is written.
 */
export const DUPLICATE_WINDOW_MS = 5000;

/** The store's own rules (peers.module.ts builds them from the configuration); every one is off by default. */
export interface PeerStoreRules {
  /** Live peers (peer ids) one user may have in one swarm; a new one beyond is refused. 0: no limit. */
  maxPeersPerUserTorrent: number;
  pacing: AnnouncePacing;
  /** MIN_INTERVAL in ms: what pacing measures against the peer's previous announce (the stored baseline's time). */
  minIntervalMs: number;
  /** CHEAT_POLICY: off (no flags), observe (flags only) or withhold (a flagged announce credits nothing). */
  cheatPolicy: CheatPolicy;
  /** MAX_UPLOAD_RATE: bytes a second of upload since the previous announce above which it is flagged; 0: never. */
  maxUploadRate: number;
  /**
   * Rules in observe mode (POLICY_MODES, STORE_POLICIES' names): an announce one of them would refuse is applied as an
   * accepted one and reported in AnnounceResult.wouldRefuse. Strict pacing observed answers peers, as `off` does.
   */
  observed: readonly StoreRule[];
}

export const NO_STORE_RULES: PeerStoreRules = {
  maxPeersPerUserTorrent: 0,
  pacing: 'off',
  minIntervalMs: 0,
  cheatPolicy: 'off',
  maxUploadRate: 0,
  observed: [],
};

export type CheatPolicy = 'off' | 'observe' | 'withhold';

/** The signals the store computes from the peer's previous state (README: cheat signals). */
export const CHEAT_FLAG_KINDS = ['upload_without_leechers', 'upload_rate', 'completed_without_download'] as const;
export type StoreCheatFlagKind = (typeof CHEAT_FLAG_KINDS)[number];

/**
 * A cheat signal with its evidence, recorded in the pending ledger by the announce that raised it and written to
 * `cheat_flags` with the accounting batch that carries it (exactly once). `kind` is free text: a policy of another
 * module may raise kinds of its own.
 */
export interface CheatFlag {
  userId: number;
  infoHash: string;
  kind: string;
  /** Milliseconds since the epoch. */
  announcedAt: number;
  evidence: CheatEvidence;
}

export interface CheatEvidence {
  /** The announce's own values. */
  announce: { peerId: string; uploaded: number; downloaded: number; left: number; event: AnnounceEvent };
  /** The stored peer before it (null for a peer's first announce). */
  previous: { uploaded: number; downloaded: number; left: number; lastAnnounce: number } | null;
  /** Live seeders and leechers of the swarm at the announce (before it changed them). */
  swarm: { seeders: number; leechers: number };
  /** Bytes a second uploaded since the previous announce (0 without one). */
  uploadRate: number;
  /** CHEAT_POLICY withhold: this announce credited nothing. */
  withheld: boolean;
}

/**
 * One address family's endpoint of a live peer. A dual-stack peer (README: dual-stack peers) has one of each
 * family, and each expires on its own PEER_TTL after the last announce from its family.
 */
export interface PeerEndpoint {
  ip: string;
  port: number;
  family: 'ipv4' | 'ipv6';
  /** Milliseconds since the epoch: the last announce from this family. */
  lastSeen: number;
}

/** A live peer as the admin API shows it. */
export interface PeerView {
  userId: number;
  peerId: Buffer;
  /** The most recently seen live endpoint's address and port (endpoints[0]). */
  ip: string;
  port: number;
  /** The live endpoints, most recently seen first: one, or two for a dual-stack peer. */
  endpoints: PeerEndpoint[];
  seeder: boolean;
  uploaded: number;
  downloaded: number;
  left: number;
  /** Milliseconds since the epoch: the peer's last announce, from either family (the accounting baseline's time). */
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
  /** Cheat flags raised by the announces of these accounts, written in the same transaction; absent: none. */
  flags?: CheatFlag[];
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
