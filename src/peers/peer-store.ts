import type {
  AnnounceResult,
  PeerAnnounce,
  PeerTotals,
  PeerView,
  PendingBacklog,
  PendingBatch,
  SwarmCounts,
  SwarmUsers,
  UserTorrents,
} from 'src/peers/peer-store.types';

/**
 * Live swarms, and the accounting ledger that must change atomically with them.
 * Chosen by configuration: in-process memory (embedded default), Redis, or Redis Cluster.
 * Every implementation passes the same contract suite (test/peers/peer-store.contract.ts).
 */
export abstract class PeerStore {
  /**
   * Apply one announce atomically: insert/update/remove the peer, compute its deltas against the stored
   * baseline (CONTRACT §4), add credited and raw deltas, seed time, completion and times to the pending
   * ledger, and sample peers for the answer. A stopped peer is removed and gets no peers.
   */
  abstract announce(announce: PeerAnnounce): Promise<AnnounceResult>;

  /** Seeders and leechers now, for each known swarm; swarms with no peers may be left out. */
  abstract scrape(infoHashes: readonly string[]): Promise<Map<string, SwarmCounts>>;

  /**
   * Seeders and leechers of up to a thousand swarms in one round trip to the store (the site's torrent pages);
   * swarms with no peers may be left out. The memory store answers as scrape does.
   */
  swarmCounts(infoHashes: readonly string[]): Promise<Map<string, SwarmCounts>> {
    return this.scrape(infoHashes);
  }

  abstract swarmPeers(infoHash: string, now: number): Promise<PeerView[]>;
  abstract swarmUsers(infoHash: string, now: number): Promise<SwarmUsers>;
  abstract userTorrents(userId: number, now: number): Promise<UserTorrents>;
  abstract totals(now: number): Promise<PeerTotals>;

  /** Drop every peer of a torrent (it was deleted). Its pending accounting is kept. */
  abstract removeTorrent(infoHash: string): Promise<void>;
  /** Drop every peer of a user (it was deleted). Its pending accounting is kept. */
  abstract removeUser(userId: number): Promise<void>;

  /**
   * Claim pending accounting, at most about `maxAccounts` rows. Returns null when nothing is pending.
   * A batch that is claimed but never acknowledged (crash, database down) is returned again, with the same id,
   * by a later claim, on any instance.
   */
  abstract claimPending(maxAccounts: number): Promise<PendingBatch | null>;
  /** The batch is in the database: forget it. */
  abstract ackPending(batchId: string): Promise<void>;

  /** What is pending and not yet acknowledged, for the backlog gauges. */
  abstract pendingBacklog(): Promise<PendingBacklog>;

  /** Throws when the store cannot answer (health check). */
  abstract ping(): Promise<void>;
}
