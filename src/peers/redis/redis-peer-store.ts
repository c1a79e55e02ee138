import { type OnModuleDestroy } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_MAX_TRANSFER_RATE } from 'src/peers/peer-accounting.util';
import { PeerStore } from 'src/peers/peer-store';
import {
  NO_STORE_RULES,
  type AnnounceResult,
  type PeerAnnounce,
  type PeerStoreRules,
  type PeerTotals,
  type PeerView,
  type PendingBacklog,
  type PendingBatch,
  type SwarmCounts,
  type SwarmUsers,
  type UserTorrents,
} from 'src/peers/peer-store.types';
import { AnnounceSideWrites } from 'src/peers/redis/announce-side-writes';
import { RedisAnnouncer } from 'src/peers/redis/redis-announcer';
import { RedisDownloadSlots } from 'src/peers/redis/redis-download-slots';
import { decodePeer, recordState } from 'src/peers/redis/redis-peer.codec';
import { RedisPeerCounters } from 'src/peers/redis/redis-peer-counters';
import { RedisKeys } from 'src/peers/redis/redis-keys';
import { RedisLedger } from 'src/peers/redis/redis-ledger';
import { readPendingBacklog } from 'src/peers/redis/redis-pending-backlog';
import { inChunks } from 'src/peers/redis/redis-scan.util';
import { RedisScripts } from 'src/peers/redis/redis-scripts';
import { swarmCountsInOneTrip } from 'src/peers/redis/redis-swarm-counts';
import { RedisUserIndex } from 'src/peers/redis/redis-user-index';

export interface RedisPeerStoreOptions {
  peerTtlSeconds: number;
  /** Prepended to every key; must not contain `{` (it would become the Cluster hash tag). */
  keyPrefix: string;
  /** Lease of a claimed, unacknowledged batch before another instance may take it over; default 30 s. */
  batchLeaseMs?: number;
  /** How often a claim also SCANs for ledgers missing from the dirty set; default 5 min (and at the first claim). */
  recoverEveryMs?: number;
  /** Memory for small swarms' members kept between announces (kept-swarms.ts); default 64 MiB, 0 turns it off. */
  keptSwarmsBytes?: number;
  /** Bytes per second a peer can plausibly move (MAX_TRANSFER_RATE); larger deltas are cut to it. */
  maxTransferRate?: number;
  /** The store's rules (peer-store.types.ts); all off when absent. */
  rules?: Partial<PeerStoreRules>;
}

/**
 * Peers in Redis or Redis Cluster, so that several tracker instances share swarms and a restart loses nothing.
 *
 * Keys (redis-keys.ts). A swarm is five keys tagged `{<infohash>}`, so it lives in one Cluster slot: a hash of peer
 * records keyed by (user id, peer id) holding the accounting baseline, two sorted sets (seeders, leechers) of
 * members "identity + compact address" scored by last announce, the version of those live members, and the pending
 * ledger (hash user id → packed sums). All but the ledger PEXPIRE after 3 TTL of silence; the ledger never expires.
 * Measured with scripts/bench/redis-memory-per-peer.ts (user index included): ~265 B a peer in swarms of 200 (a set
 * over zset-max-listpack-entries, 128 by default, turns into a skiplist at ~126 B a member), plus ~135 B a pending
 * account until it is flushed.
 *
 * Announce: redis-announcer.ts, one EVALSHA of announce.lua.ts (on a single Redis one call carries a poll phase's
 * announces), with the store's rules and download slots.
 *
 * Ledger hand-off (redis-ledger.ts, the scripts in ledger.lua.ts and batch.lua.ts):
 * - `{~}:dirty` lists swarms with a ledger. A crash between the script and the SADD is repaired by a SCAN for ledger
 *   keys at the first claim and every `recoverEveryMs`.
 * - A claim SPOPs dirty swarms, registers the batch (`{~}:batches`, scored by lease deadline in Redis TIME) with its
 *   manifest, and RENAMENXes each swarm's ledger to `{h}:b:<batch>` in the swarm's slot: atomic, so an account lands in
 *   exactly one batch, and later announces start a fresh ledger. The move refuses after the claimer's deadline (minus
 *   a margin for clock skew between nodes), so a stalled claimer cannot add to a batch that was taken over.
 * - An unacknowledged batch is handed out again with the same id and accounts: at once by the instance that holds
 *   it, by others once its lease ran out (they seal the manifest first, then read the parts).
 * - Ack deletes the parts, then the manifest and registration.
 *
 * Totals (redis-peer-counters.ts): a counter key in every slot is impossible and an O(swarms) walk too slow for
 * metrics, so each instance counts peers in one-second buckets of their last announce, from what the script
 * reports (previous role and time), and flushes the deltas about once a second to a few `{~}` hashes. Silent peers
 * drop out of the sum as their bucket ages past the TTL, so nothing drifts. Scrape has no clock, so it counts relative
 * to each swarm's latest announce.
 */
export class RedisPeerStore extends PeerStore implements OnModuleDestroy {
  private readonly ttlMs: number;
  private readonly keys: RedisKeys;
  private readonly scripts: RedisScripts;
  private readonly ledger: RedisLedger;
  private readonly users: RedisUserIndex;
  private readonly counters: RedisPeerCounters;
  private readonly downloadSlots: RedisDownloadSlots;
  private readonly announcer: RedisAnnouncer;

  constructor(
    private readonly client: Redis | Cluster,
    options: RedisPeerStoreOptions,
  ) {
    super();
    this.ttlMs = options.peerTtlSeconds * 1000;
    this.keys = new RedisKeys(options.keyPrefix);
    this.scripts = new RedisScripts(client);
    this.ledger = new RedisLedger(client, this.keys, this.scripts, {
      leaseMs: options.batchLeaseMs ?? 30_000,
      recoverEveryMs: options.recoverEveryMs ?? 300_000,
    });
    this.users = new RedisUserIndex(client, this.keys, this.ttlMs);
    this.counters = new RedisPeerCounters(client, this.keys, this.ttlMs);
    this.downloadSlots = new RedisDownloadSlots(client, this.keys, this.scripts, this.ttlMs);
    this.announcer = new RedisAnnouncer({
      client,
      keys: this.keys,
      scripts: this.scripts,
      counters: this.counters,
      sideWrites: new AnnounceSideWrites(this.ledger, this.users),
      downloadSlots: this.downloadSlots,
      rules: { ...NO_STORE_RULES, ...options.rules },
      ttlMs: this.ttlMs,
      maxTransferRate: options.maxTransferRate ?? DEFAULT_MAX_TRANSFER_RATE,
      keptSwarmsBytes: options.keptSwarmsBytes ?? 64 * 1024 * 1024,
    });
  }

  /** Writes the counter deltas still in memory; the client itself belongs to RedisConnection. */
  async onModuleDestroy(): Promise<void> {
    await this.counters.close();
  }

  announce(a: PeerAnnounce): Promise<AnnounceResult> {
    return this.announcer.announce(a);
  }

  async scrape(infoHashes: readonly string[]): Promise<Map<string, SwarmCounts>> {
    const counts = await Promise.all(
      infoHashes.map((h) => {
        const keys = this.keys.swarm(h);
        return this.scripts.run.peerStoreSwarmCounts(keys.seeders, keys.leechers, this.ttlMs);
      }),
    );
    const result = new Map<string, SwarmCounts>();
    infoHashes.forEach((h, i) => {
      const [complete, incomplete] = counts[i];
      if (complete + incomplete > 0) {
        result.set(h, { complete, incomplete });
      }
    });
    return result;
  }

  override swarmCounts(infoHashes: readonly string[]): Promise<Map<string, SwarmCounts>> {
    return swarmCountsInOneTrip(this.client, this.keys, infoHashes, this.ttlMs);
  }

  async swarmPeers(infoHash: string, now: number): Promise<PeerView[]> {
    const pairs = (await this.client.callBuffer('HGETALL', this.keys.swarm(infoHash).peers)) as Buffer[];
    const cutoff = now - this.ttlMs;
    const peers: PeerView[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const peer = decodePeer(pairs[i], pairs[i + 1], cutoff);
      if (peer.lastAnnounce >= cutoff) {
        peers.push(peer);
      }
    }
    return peers;
  }

  async swarmUsers(infoHash: string, now: number): Promise<SwarmUsers> {
    const seeders = new Set<number>();
    const leechers = new Set<number>();
    for (const peer of await this.swarmPeers(infoHash, now)) {
      (peer.seeder ? seeders : leechers).add(peer.userId);
    }
    const ascending = (a: number, b: number) => a - b;
    return { seeders: [...seeders].sort(ascending), leechers: [...leechers].sort(ascending) };
  }

  userTorrents(userId: number, now: number): Promise<UserTorrents> {
    return this.users.torrents(userId, now);
  }

  totals(now: number): Promise<PeerTotals> {
    return this.counters.totals(now);
  }

  async removeTorrent(infoHash: string): Promise<void> {
    const keys = this.keys.swarm(infoHash);
    this.uncount(
      await this.scripts.run.peerStoreRemoveSwarmBuffer(
        keys.peers,
        keys.seeders,
        keys.leechers,
        keys.version,
        keys.userPeers,
      ),
    );
  }

  async removeUser(userId: number): Promise<void> {
    await inChunks(await this.users.swarms(userId, null), 500, async (infoHash) => {
      const fields = (await this.users.peersIn(infoHash, userId)).map(([field]) => field);
      if (fields.length > 0) {
        const keys = this.keys.swarm(infoHash);
        this.uncount(
          await this.scripts.run.peerStoreRemovePeersBuffer(
            keys.peers,
            keys.seeders,
            keys.leechers,
            keys.version,
            ...fields,
          ),
        );
      }
    });
    await Promise.all([this.users.drop(userId), this.downloadSlots.drop(userId)]);
  }

  claimPending(maxAccounts: number): Promise<PendingBatch | null> {
    return this.ledger.claim(maxAccounts);
  }

  ackPending(batchId: string): Promise<void> {
    return this.ledger.ack(batchId);
  }

  pendingBacklog(): Promise<PendingBacklog> {
    return readPendingBacklog(this.client, this.keys);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Removed records leave the tracker-wide counters. */
  private uncount(records: Buffer[]): void {
    for (const record of records) {
      this.counters.move(recordState(record), null);
    }
  }
}
