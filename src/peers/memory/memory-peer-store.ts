import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LivePeers } from 'src/peers/memory/live-peers';
import { memoryCheatFlags } from 'src/peers/memory/memory-cheat-flags';
import { DUPLICATE, MemoryStoreRules } from 'src/peers/memory/memory-store-rules';
import { PeerSampler } from 'src/peers/memory/peer-sampler';
import type { Swarm } from 'src/peers/memory/swarm';
import { liveEndpoints } from 'src/peers/memory/live-endpoints.util';
import { NO_SLOT, PEER_ID_BYTES } from 'src/peers/memory/peer-slot-table';
import { PendingLedger } from 'src/peers/memory/pending-ledger';
import {
  creditedBytes,
  DEFAULT_MAX_TRANSFER_RATE,
  plausibleDelta,
  seedTimeSince,
  totalsMovedForward,
} from 'src/peers/peer-accounting.util';
import { PeerStore } from 'src/peers/peer-store';
import type {
  AnnounceResult,
  PeerAnnounce,
  PeerTotals,
  PeerView,
  PendingBacklog,
  PendingBatch,
  SelectedPeers,
  StoreRefusal,
  SwarmCounts,
  SwarmUsers,
  UserTorrents,
} from 'src/peers/peer-store.types';
import { NO_STORE_RULES, PendingLedgerFullError, type PeerStoreRules } from 'src/peers/peer-store.types';

export interface MemoryPeerStoreOptions {
  peerTtlSeconds: number;
  /** Pending (user, torrent) rows kept while the database is away; default 1,000,000 (a few hundred MB). */
  maxPendingAccounts?: number;
  /** Bytes per second a peer can plausibly move (MAX_TRANSFER_RATE); larger deltas are cut to it. */
  maxTransferRate?: number;
  /** The store's rules (peer-store.types.ts); all off when absent. */
  rules?: Partial<PeerStoreRules>;
}

/** Expired peers one announce or scrape removes on its way; the sweep timer takes the rest, so none stalls. */
const EXPIRY_BUDGET = 64;
const SWEEP_INTERVAL_MS = 5000;
const EMPTY = Buffer.alloc(0);

/**
 * The embedded peer store: every swarm in this process, in typed arrays with no per-peer objects (about 112
 * bytes a peer at a million peers, see scripts/bench/memory-per-peer.ts; a dual-stack peer's second endpoint ~93
 * more, second-endpoints.ts). Single-threaded, so each call is atomic.
 * Time comes only from the `now` of each call (the sweep timer passes the wall clock), so tests control it.
 */
export class MemoryPeerStore extends PeerStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MemoryPeerStore.name);
  private readonly ttlMs: number;
  private readonly maxTransferRate: number;
  private readonly rules: PeerStoreRules;
  private readonly checks: MemoryStoreRules;
  private readonly peers: LivePeers;
  private readonly sampler: PeerSampler;
  private readonly ledger: PendingLedger;
  /** Latest `now` seen, for scrape, which has none of its own. */
  private clock = 0;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryPeerStoreOptions) {
    super();
    this.ttlMs = options.peerTtlSeconds * 1000;
    this.maxTransferRate = options.maxTransferRate ?? DEFAULT_MAX_TRANSFER_RATE;
    this.rules = { ...NO_STORE_RULES, ...options.rules };
    this.peers = new LivePeers(this.ttlMs);
    this.sampler = new PeerSampler(this.peers.slots);
    this.ledger = new PendingLedger(options.maxPendingAccounts);
    this.checks = new MemoryStoreRules(this.peers, this.rules, this.ttlMs);
  }

  onModuleInit(): void {
    this.sweepTimer = setInterval(() => this.sweep(Math.max(this.clock, Date.now())), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Drops every peer silent for longer than the TTL at `now`; returns how many. */
  sweep(now: number): number {
    const removed = this.expire(now, Infinity);
    if (removed >= 10000) {
      this.logger.log(`Expired ${removed} silent peers`);
    }
    return removed;
  }

  announce(announce: PeerAnnounce): Promise<AnnounceResult> {
    if (!this.ledger.accepts(announce.userId, announce.infoHash)) {
      return Promise.reject(new PendingLedgerFullError());
    }
    return new Promise((resolve) => resolve(this.applyAnnounce(announce)));
  }

  scrape(infoHashes: readonly string[]): Promise<Map<string, SwarmCounts>> {
    this.expire(this.clock, EXPIRY_BUDGET);
    const out = new Map<string, SwarmCounts>();
    for (const infoHash of infoHashes) {
      const swarm = this.peers.swarms.get(infoHash);
      if (swarm) {
        out.set(infoHash, { complete: swarm.seeders.count, incomplete: swarm.leechers.count });
      }
    }
    return Promise.resolve(out);
  }

  swarmPeers(infoHash: string, now: number): Promise<PeerView[]> {
    this.expire(now, Infinity);
    const s = this.peers.slots;
    const views = this.peers.slotsOfSwarm(infoHash).map((slot): PeerView => {
      const endpoints = liveEndpoints(s, slot, now - this.ttlMs);
      return {
        userId: s.userId[slot],
        peerId: Buffer.from(s.peerId.subarray(slot * PEER_ID_BYTES, (slot + 1) * PEER_ID_BYTES)),
        ip: endpoints[0].ip,
        port: endpoints[0].port,
        endpoints,
        seeder: s.isSeeder(slot),
        uploaded: s.uploaded[slot],
        downloaded: s.downloaded[slot],
        left: s.left[slot],
        lastAnnounce: s.lastAnnounce[slot],
      };
    });
    return Promise.resolve(views);
  }

  swarmUsers(infoHash: string, now: number): Promise<SwarmUsers> {
    this.expire(now, Infinity);
    const s = this.peers.slots;
    const seeders = new Set<number>();
    const leechers = new Set<number>();
    for (const slot of this.peers.slotsOfSwarm(infoHash)) {
      (s.isSeeder(slot) ? seeders : leechers).add(s.userId[slot]);
    }
    return Promise.resolve({ seeders: [...seeders], leechers: [...leechers] });
  }

  userTorrents(userId: number, now: number): Promise<UserTorrents> {
    this.expire(now, Infinity);
    const s = this.peers.slots;
    const seeding = new Set<string>();
    const leeching = new Set<string>();
    for (const slot of this.peers.slotsOfUser(userId)) {
      const infoHash = this.peers.swarms.byIdOrThrow(s.swarm[slot]).infoHash;
      (s.isSeeder(slot) ? seeding : leeching).add(infoHash);
    }
    return Promise.resolve({ seeding: [...seeding], leeching: [...leeching] });
  }

  totals(now: number): Promise<PeerTotals> {
    this.expire(now, Infinity);
    return Promise.resolve(this.peers.totals());
  }

  removeTorrent(infoHash: string): Promise<void> {
    this.peers.removeSwarm(infoHash);
    return Promise.resolve();
  }

  removeUser(userId: number): Promise<void> {
    this.peers.removeUser(userId);
    return Promise.resolve();
  }

  claimPending(maxAccounts: number): Promise<PendingBatch | null> {
    return Promise.resolve(this.ledger.claim(maxAccounts));
  }

  ackPending(batchId: string): Promise<void> {
    this.ledger.ack(batchId);
    return Promise.resolve();
  }

  pendingBacklog(): Promise<PendingBacklog> {
    return Promise.resolve(this.ledger.backlog());
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  private applyAnnounce(a: PeerAnnounce): AnnounceResult {
    const { now } = a;
    const s = this.peers.slots;
    this.expire(now, EXPIRY_BUDGET);
    const slot = this.peers.find(a.infoHash, a.userId, a.peerId, now);
    // What rules in observe mode would have refused; made only when one would.
    let wouldRefuse: StoreRefusal[] | undefined;
    if (slot === NO_SLOT && a.event !== 'stopped' && this.checks.overPeerLimit(a)) {
      const refusal: StoreRefusal = { rule: 'peer-limit', limit: this.rules.maxPeersPerUserTorrent };
      if (!this.checks.observes('peer-limit')) {
        return refusedResult(refusal, a.wantPeerIds);
      }
      wouldRefuse = [refusal];
    }
    if (typeof a.downloadSlots === 'number' && this.checks.outOfDownloadSlots(slot, a, a.downloadSlots)) {
      const refusal: StoreRefusal = { rule: 'download-slots', limit: a.downloadSlots };
      if (!this.checks.observes('download-slots')) {
        return refusedResult(refusal, a.wantPeerIds);
      }
      (wouldRefuse ??= []).push(refusal);
    }
    let tooSoonByMs = slot !== NO_SLOT && this.rules.pacing !== 'off' ? this.checks.pace(slot, a) : 0;
    if (tooSoonByMs === DUPLICATE) {
      return withWouldRefuse(this.answerDuplicate(slot, a), wouldRefuse);
    }
    if (tooSoonByMs > 0 && this.rules.pacing === 'strict') {
      const refusal: StoreRefusal = { rule: 'pacing', retryInMs: tooSoonByMs };
      if (!this.checks.observes('pacing')) {
        return refusedResult(refusal, a.wantPeerIds);
      }
      (wouldRefuse ??= []).push(refusal);
      tooSoonByMs = 0; // applied and answered as an announce in time
    }

    // CONTRACT §4: a first announce or `started` only sets the baseline.
    let uploaded = 0;
    let downloaded = 0;
    let rawUploaded = 0;
    let rawDownloaded = 0;
    let seedTime = 0;
    if (slot !== NO_SLOT && a.event !== 'started') {
      if (totalsMovedForward(s.uploaded[slot], s.downloaded[slot], a.uploaded, a.downloaded)) {
        const elapsed = now - s.lastAnnounce[slot];
        rawUploaded = plausibleDelta(a.uploaded - s.uploaded[slot], elapsed, this.maxTransferRate);
        rawDownloaded = plausibleDelta(a.downloaded - s.downloaded[slot], elapsed, this.maxTransferRate);
        uploaded = creditedBytes(rawUploaded, a.uploadFactor);
        downloaded = creditedBytes(rawDownloaded, a.downloadFactor);
      }
      seedTime = seedTimeSince(s.isSeeder(slot), s.lastAnnounce[slot], now, this.ttlMs);
    }
    const flags =
      this.rules.cheatPolicy === 'off' ? null : memoryCheatFlags(this.peers, slot, a, rawUploaded, this.rules);
    if (flags) {
      if (this.rules.cheatPolicy === 'withhold') {
        uploaded = 0;
        downloaded = 0;
      }
      flags.forEach((flag) => this.ledger.flag(flag));
    }
    const completed = a.event === 'completed';
    this.ledger.record(
      a.userId,
      a.infoHash,
      a.ip,
      now,
      completed,
      uploaded,
      downloaded,
      rawUploaded,
      rawDownloaded,
      seedTime,
    );

    if (a.event === 'stopped') {
      // Over either family, `stopped` removes the peer: both endpoints of a dual-stack one (README: dual-stack peers).
      if (slot !== NO_SLOT) {
        if (!s.isSeeder(slot)) {
          this.peers.swarms.byIdOrThrow(s.swarm[slot]).lastLeecherLeftAt = now;
        }
        this.peers.remove(slot);
      }
      const swarm = this.peers.swarms.get(a.infoHash);
      return {
        complete: swarm?.seeders.count ?? 0,
        incomplete: swarm?.leechers.count ?? 0,
        peers: noPeers(a.wantPeerIds),
      };
    }

    const swarm = this.peers.swarms.getOrCreate(a.infoHash);
    const seeder = a.left === 0;
    if (slot === NO_SLOT) {
      this.peers.insert(swarm, a, seeder);
    } else {
      this.peers.update(swarm, slot, a, seeder);
    }
    if (tooSoonByMs > 0) {
      // Lenient pacing: applied and credited, but no peers.
      return withWouldRefuse(
        {
          complete: swarm.seeders.count,
          incomplete: swarm.leechers.count,
          peers: noPeers(a.wantPeerIds),
          tooSoonByMs,
        },
        wouldRefuse,
      );
    }
    const peers = this.peersFor(swarm, seeder, a);
    return withWouldRefuse({ complete: swarm.seeders.count, incomplete: swarm.leechers.count, peers }, wouldRefuse);
  }

  /** A duplicate is answered from the swarm as it is: nothing written, not even the ledger's times. */
  private answerDuplicate(slot: number, a: PeerAnnounce): AnnounceResult {
    const swarm = this.peers.swarms.byIdOrThrow(this.peers.slots.swarm[slot]);
    const peers = this.peersFor(swarm, this.peers.slots.isSeeder(slot), a);
    return { complete: swarm.seeders.count, incomplete: swarm.leechers.count, peers };
  }

  /** The peers answered to an announce: a sample of the swarm's live ones in the requester's family, or none. */
  private peersFor(swarm: Swarm, seeder: boolean, a: PeerAnnounce): SelectedPeers {
    if (a.numwant <= 0) {
      return noPeers(a.wantPeerIds);
    }
    const liveSince = a.now - this.ttlMs;
    return this.sampler.select(swarm, a.userId, seeder, a.numwant, a.wantPeerIds, liveSince, a.ipBytes.length === 16);
  }

  private expire(now: number, budget: number): number {
    if (now > this.clock) {
      this.clock = now;
    }
    return this.peers.expire(now, budget);
  }
}

function refusedResult(refused: StoreRefusal, wantPeerIds: boolean): AnnounceResult {
  return { complete: 0, incomplete: 0, peers: noPeers(wantPeerIds), refused };
}

/** The result, with what observed rules would have refused when there is any. */
function withWouldRefuse(result: AnnounceResult, wouldRefuse: StoreRefusal[] | undefined): AnnounceResult {
  if (wouldRefuse !== undefined) {
    result.wouldRefuse = wouldRefuse;
  }
  return result;
}

function noPeers(wantPeerIds: boolean): SelectedPeers {
  return { compact4: EMPTY, compact6: EMPTY, ids4: wantPeerIds ? EMPTY : null, ids6: wantPeerIds ? EMPTY : null };
}
