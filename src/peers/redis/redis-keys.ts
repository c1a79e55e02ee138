/** Marks the tracker-wide keys; `~` cannot be an info hash, so they never share a swarm's tag by accident. */
const GLOBAL_TAG = '{~}';
/**
 * Version of the peer layout (redis-peer.codec.ts) in the names of the peer keys: a build that lays peers out
 * differently reads none of an older build's swarms (they expire on their own) instead of misreading them. The
 * ledger's layout has not changed, so pending accounting carries over.
 */
const PEER_LAYOUT = 2;

/** The keys of one swarm, all tagged `{<infohash>}` so that a Cluster keeps the swarm in one slot. */
export interface SwarmKeys {
  /** Hash: peer field (user id + peer id) → packed record (flags, uploaded, downloaded, left, last announce, address). */
  peers: string;
  /** Sorted sets of members (peer field + address), scored by last announce (ms). */
  seeders: string;
  leechers: string;
  /** Hash: 4-byte user id → packed pending account. Never expires: it is the durable accounting ledger. */
  ledger: string;
  /** Integer: the version of the live members, bumped whenever one joins, leaves or changes role or address. */
  version: string;
  /** Hash: 4-byte user id → the user's peer ids in the swarm (20 bytes each), for MAX_PEERS_PER_USER_TORRENT. */
  userPeers: string;
}

/**
 * Every key the Redis peer store uses, in one place. Swarm keys carry the info hash as hash tag; the tracker-wide
 * keys (dirty set, batches, peer counters) share the `{~}` tag so that the batch scripts can touch them together;
 * a user's index has no tag and lands wherever its name hashes.
 */
export class RedisKeys {
  readonly dirty: string;
  readonly batches: string;
  /** SCAN pattern of every swarm ledger, for the recovery path. */
  readonly ledgerPattern: string;
  /** SCAN pattern of every key of this store (tests clean up with it). */
  readonly everything: string;

  constructor(private readonly prefix: string) {
    if (prefix.includes('{')) {
      // A `{` in the prefix would become the Cluster hash tag of every key and put all swarms in one slot.
      throw new Error(`Redis key prefix must not contain '{': ${prefix}`);
    }
    this.dirty = `${prefix}${GLOBAL_TAG}:dirty`;
    this.batches = `${prefix}${GLOBAL_TAG}:batches`;
    const glob = prefix.replace(/[*?[\]\\]/g, '\\$&');
    this.ledgerPattern = `${glob}{*}:g`;
    this.everything = `${glob}*`;
  }

  swarm(infoHash: string): SwarmKeys {
    const tag = `${this.prefix}{${infoHash}}:`;
    return {
      peers: `${tag}p${PEER_LAYOUT}`,
      seeders: `${tag}s${PEER_LAYOUT}`,
      leechers: `${tag}l${PEER_LAYOUT}`,
      ledger: `${tag}g`,
      version: `${tag}v${PEER_LAYOUT}`,
      userPeers: `${tag}o${PEER_LAYOUT}`,
    };
  }

  /** A swarm's share of a claimed batch: its ledger, renamed in place (same slot). */
  batchPart(infoHash: string, batchId: string): string {
    return `${this.prefix}{${infoHash}}:b:${batchId}`;
  }

  /** Hash of live-peer counters for one 10-minute window of announce seconds (redis-peer-counters.ts). */
  counters(window: number): string {
    return `${this.prefix}${GLOBAL_TAG}:n:${window}`;
  }

  /** Set of the info hashes in a batch; the member `!` seals it against late additions. */
  manifest(batchId: string): string {
    return `${this.prefix}${GLOBAL_TAG}:m:${batchId}`;
  }

  /** Sorted set of one user's peers (`<infohash><peer id>`), scored by when the entry was last written. */
  user(userId: number): string {
    return `${this.prefix}u:${userId}`;
  }

  /**
   * Hash of the torrents a user with download slots leeches: binary info hash → its last leeching announce (ms).
   * (`d:<user id>` was a sorted set before; a new name, so that an upgraded tracker never meets one.)
   */
  leeching(userId: number): string {
    return `${this.prefix}l:${userId}`;
  }

  /** The info hash of a ledger key found by SCAN, or null for anything else. */
  infoHashOfLedger(key: string): string | null {
    const match = /\{([0-9a-f]{40})\}:g$/.exec(key);
    return match ? match[1] : null;
  }
}
