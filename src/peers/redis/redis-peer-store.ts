import { type OnModuleDestroy } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { PeerStore } from 'src/peers/peer-store';
import {
  DUPLICATE_WINDOW_MS,
  NO_STORE_RULES,
  type AnnouncePacing,
  type CheatPolicy,
  type PeerStoreRules,
  type StoreRefusal,
} from 'src/peers/peer-store.types';
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
import { AnnounceCommand } from 'src/peers/redis/announce-command';
import { AnnounceSideWrites } from 'src/peers/redis/announce-side-writes';
import { type KeptSwarm, KeptSwarms } from 'src/peers/redis/kept-swarms';
import {
  type AnnounceReply,
  decodePeer,
  encodeAnnounceNumbers,
  encodeMember,
  EVENT_CODES,
  packSampledPeers,
  recordState,
  VERDICT_DUPLICATE,
  VERDICT_NEEDS_SLOT,
  VERDICT_PEER_LIMIT,
  VERDICT_PEER_LIMIT_OBSERVED,
  VERDICT_TOO_SOON_OBSERVED,
  VERDICT_TOO_SOON_REFUSED,
  VERDICT_TOO_SOON_WARNED,
} from 'src/peers/redis/redis-peer.codec';
import { RedisPeerCounters } from 'src/peers/redis/redis-peer-counters';
import { RedisKeys } from 'src/peers/redis/redis-keys';
import { RedisLedger } from 'src/peers/redis/redis-ledger';
import { readPendingBacklog } from 'src/peers/redis/redis-pending-backlog';
import { inChunks } from 'src/peers/redis/redis-scan.util';
import { RedisScripts } from 'src/peers/redis/redis-scripts';
import { swarmCountsInOneTrip } from 'src/peers/redis/redis-swarm-counts';
import { RedisUserIndex } from 'src/peers/redis/redis-user-index';
import {
  RedisDownloadSlots,
  SLOTS_CHECKED_IN_SCRIPT,
  SLOTS_FULL,
  SLOTS_REFUSED,
  SLOTS_UNUSED,
} from 'src/peers/redis/redis-download-slots';
import { DEFAULT_MAX_TRANSFER_RATE } from 'src/peers/peer-accounting.util';

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

/** Extra members sampled so that the announcing user's own peers, filtered out here, rarely leave the answer short. */
const OWN_PEER_SLACK = 2;

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
 * Announce = one EVALSHA (announce.lua.ts; on a single Redis one call carries a poll phase's announces): reads the
 * peer's baseline, credits deltas and seed time, moves the peer, adds to the ledger, prunes at most 2 expired members
 * per set, counts live peers (ZCOUNT from now - TTL), and samples a window at a random offset among the live ranks
 * (ZRANGE, not ZRANDMEMBER) that Node filters (the user's own peers) and packs. A swarm small enough to come whole
 * is kept by the instance (kept-swarms.ts): while the script finds its version unchanged, it skips the census and
 * the sample, which took redis-server's CPU per announce in the bench from 50.7 to 28–34 µs once the peers had all
 * joined. A peer silent for longer than the TTL counts as gone even before it is pruned: its next announce is a first
 * one. Only on rare transitions does the store send one more command to another slot: the dirty mark when the ledger
 * went from empty to non-empty, and the per-user index on a new peer or its periodic refresh (redis-user-index.ts).
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
  private readonly maxTransferRate: number;
  private readonly rules: PeerStoreRules;
  private readonly ttlMs: number;
  private readonly keys: RedisKeys;
  private readonly scripts: RedisScripts;
  private readonly ledger: RedisLedger;
  private readonly users: RedisUserIndex;
  private readonly sideWrites: AnnounceSideWrites;
  private readonly counters: RedisPeerCounters;
  private readonly announceCommand: AnnounceCommand;
  private readonly keptSwarms: KeptSwarms;
  private readonly downloadSlots: RedisDownloadSlots;
  /** The announce script's code of the rules it checks in observe mode (announce.lua.ts). */
  private readonly observeCode: number;

  constructor(
    private readonly client: Redis | Cluster,
    options: RedisPeerStoreOptions,
  ) {
    super();
    this.ttlMs = options.peerTtlSeconds * 1000;
    this.maxTransferRate = options.maxTransferRate ?? DEFAULT_MAX_TRANSFER_RATE;
    this.rules = { ...NO_STORE_RULES, ...options.rules };
    this.keys = new RedisKeys(options.keyPrefix);
    this.scripts = new RedisScripts(client);
    this.ledger = new RedisLedger(client, this.keys, this.scripts, {
      leaseMs: options.batchLeaseMs ?? 30_000,
      recoverEveryMs: options.recoverEveryMs ?? 300_000,
    });
    this.users = new RedisUserIndex(client, this.keys, this.ttlMs);
    this.sideWrites = new AnnounceSideWrites(this.ledger, this.users);
    this.counters = new RedisPeerCounters(client, this.keys, this.ttlMs);
    this.announceCommand = new AnnounceCommand(client, this.scripts);
    this.keptSwarms = new KeptSwarms(options.keptSwarmsBytes ?? 64 * 1024 * 1024);
    this.downloadSlots = new RedisDownloadSlots(client, this.keys, this.scripts, this.ttlMs);
    const observed = this.rules.observed;
    this.observeCode = (observed.includes('peer-limit') ? 1 : 0) + (observed.includes('pacing') ? 2 : 0);
  }

  /** Writes the counter deltas still in memory; the client itself belongs to RedisConnection. */
  async onModuleDestroy(): Promise<void> {
    await this.counters.close();
  }

  async announce(a: PeerAnnounce): Promise<AnnounceResult> {
    if (!this.downloadSlots.apply(a)) {
      return this.announceInSwarm(a, SLOTS_UNUSED, undefined);
    }
    // Two phases: the script lets a live leecher through and turns a new leech back until a slot is taken for it.
    const checked = await this.announceInSwarm(a, SLOTS_CHECKED_IN_SCRIPT, undefined);
    if (checked !== NEEDS_SLOT) {
      return checked;
    }
    const slots = await this.downloadSlots.take(a);
    if (slots === SLOTS_REFUSED) {
      const refusal: StoreRefusal = { rule: 'download-slots', limit: a.downloadSlots! };
      if (!this.rules.observed.includes('download-slots')) {
        return refusedResult(refusal, a.wantPeerIds);
      }
      // Observed: the leech starts, and is listed among the user's leeches once applied, as a full user's
      // re-announce is, so that the slots count what the user really leeches.
      return this.announceInSwarm(a, SLOTS_FULL, [refusal]);
    }
    return this.announceInSwarm(a, slots, undefined);
  }

  /**
   * The announce script, and what download slots need done after it (redis-download-slots.ts): `slots` is where the
   * slot check stands (SLOTS_*). `wouldRefuse`: what observed rules checked before the script would have refused.
   * NEEDS_SLOT: the script turned back a new leech, with SLOTS_CHECKED_IN_SCRIPT only.
   */
  private announceInSwarm(
    a: PeerAnnounce,
    slots: typeof SLOTS_CHECKED_IN_SCRIPT,
    wouldRefuse: undefined,
  ): Promise<AnnounceResult | typeof NEEDS_SLOT>;
  private announceInSwarm(a: PeerAnnounce, slots: number, wouldRefuse?: StoreRefusal[]): Promise<AnnounceResult>;
  private async announceInSwarm(
    a: PeerAnnounce,
    slots: number,
    wouldRefuse: StoreRefusal[] | undefined,
  ): Promise<AnnounceResult | typeof NEEDS_SLOT> {
    const keys = this.keys.swarm(a.infoHash);
    const member = encodeMember(a.userId, a.peerId, a.ipBytes, a.port);
    const want = a.numwant > 0 ? a.numwant + OWN_PEER_SLACK : 0;
    const kept = want > 0 ? this.keptSwarms.usable(a.infoHash, a.now, want) : undefined;
    const numbers = encodeAnnounceNumbers([
      a.now,
      a.uploaded,
      a.downloaded,
      a.left,
      a.uploadFactor,
      a.downloadFactor,
      this.ttlMs,
      want,
      Math.floor(Math.random() * 0x1000000000000),
      kept?.version ?? 0,
      this.maxTransferRate,
      this.rules.maxPeersPerUserTorrent,
      PACING_CODES[this.rules.pacing],
      this.rules.minIntervalMs,
      DUPLICATE_WINDOW_MS,
      CHEAT_POLICY_CODES[this.rules.cheatPolicy],
      this.rules.maxUploadRate,
      this.observeCode,
      slots === SLOTS_CHECKED_IN_SCRIPT ? 1 : 0,
    ]);
    // The routes hand announces over a poll phase at a time (CheckPhaseBatch): on a single Redis, a phase's
    // announces go in one script call (announce-command.ts).
    // Policies' flag kinds travel after the event code (`n,kind,kind`): rare, and no argument more per announce.
    const event =
      a.policyFlags && a.policyFlags.length > 0
        ? `${EVENT_CODES[a.event]},${a.policyFlags.join(',')}`
        : EVENT_CODES[a.event];
    let reply: AnnounceReply;
    try {
      reply = await this.announceCommand.run(keys, { member, ip: a.ip, numbers, event });
    } catch (error) {
      // The slot goes back; the script's error is the one to report.
      await this.downloadSlots.after(a, slots, false, false)?.catch(() => undefined);
      throw error;
    }
    const { verdict, prevRole, indexDue, dirty } = reply;
    if (verdict === VERDICT_NEEDS_SLOT) {
      return NEEDS_SLOT;
    }
    const refused = verdict === VERDICT_PEER_LIMIT || verdict === VERDICT_TOO_SOON_REFUSED;
    if (typeof a.downloadSlots === 'number') {
      const slotsSettled = this.downloadSlots.after(a, slots, !refused, prevRole === 1);
      if (slotsSettled !== undefined) {
        await slotsSettled;
      }
    }
    if (refused) {
      return refusedReply(verdict, reply.verdictDetail, a.wantPeerIds);
    }
    if (verdict === VERDICT_PEER_LIMIT_OBSERVED) {
      (wouldRefuse ??= []).push({ rule: 'peer-limit', limit: reply.verdictDetail });
    } else if (verdict === VERDICT_TOO_SOON_OBSERVED) {
      (wouldRefuse ??= []).push({ rule: 'pacing', retryInMs: reply.verdictDetail });
    }
    if (verdict !== VERDICT_DUPLICATE) {
      this.counters.move(
        prevRole === 0 ? null : { seeder: prevRole === 2, lastAnnounce: reply.prevLastAnnounce },
        a.event === 'stopped' ? null : { seeder: a.left === 0, lastAnnounce: a.now },
      );
    }
    if (indexDue || dirty) {
      await this.sideWrites.add(a, { dirty, indexDue });
    }
    let swarm: Pick<KeptSwarm, 'complete' | 'incomplete' | 'seeders' | 'leechers'> = reply;
    if (reply.complete < 0 && kept) {
      swarm = kept;
    } else if (reply.version > 0) {
      const { complete, incomplete, seeders, leechers, version } = reply;
      this.keptSwarms.keep(a.infoHash, {
        complete,
        incomplete,
        seeders,
        leechers,
        version,
        liveUntil: reply.oldest + this.ttlMs,
      });
    }
    // A seeder gets leechers only; the script sends no seeders to one unless it sent the whole swarm.
    const samples = a.left === 0 ? [swarm.leechers] : [swarm.seeders, swarm.leechers];
    const requesterIpv6 = a.ipBytes.length === 16;
    const peers = packSampledPeers(a.userId, samples, a.numwant, a.wantPeerIds, requesterIpv6, a.now - this.ttlMs);
    const result: AnnounceResult = { complete: swarm.complete, incomplete: swarm.incomplete, peers };
    if (verdict === VERDICT_TOO_SOON_WARNED) {
      result.tooSoonByMs = reply.verdictDetail;
    }
    if (wouldRefuse !== undefined) {
      result.wouldRefuse = wouldRefuse;
    }
    return result;
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

const NO_MEMBERS = Buffer.alloc(0);
/** The announce script's answer to a new leech of a user with download slots: take a slot, then announce again. */
const NEEDS_SLOT = Symbol('needs a download slot');

/** The answer to an announce the script turned away (nothing was changed). */
function refusedReply(verdict: number, detail: number, wantPeerIds: boolean): AnnounceResult {
  return refusedResult(
    verdict === VERDICT_PEER_LIMIT ? { rule: 'peer-limit', limit: detail } : { rule: 'pacing', retryInMs: detail },
    wantPeerIds,
  );
}

function refusedResult(refused: StoreRefusal, wantPeerIds: boolean): AnnounceResult {
  const ids = wantPeerIds ? NO_MEMBERS : null;
  return {
    complete: 0,
    incomplete: 0,
    peers: { compact4: NO_MEMBERS, compact6: NO_MEMBERS, ids4: ids, ids6: ids },
    refused,
  };
}

/** ANNOUNCE_PACING as the announce script's number. */
const PACING_CODES: Record<AnnouncePacing, number> = { off: 0, lenient: 1, strict: 2 };
/** CHEAT_POLICY as the announce script's number. */
const CHEAT_POLICY_CODES: Record<CheatPolicy, number> = { off: 0, observe: 1, withhold: 2 };
