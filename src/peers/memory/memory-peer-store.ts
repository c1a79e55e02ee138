import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ExpiryQueue } from 'src/peers/memory/expiry-queue';
import { PeerSampler } from 'src/peers/memory/peer-sampler';
import { PeerSlotIndex } from 'src/peers/memory/peer-slot-index';
import { IP_BYTES, NO_SLOT, PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import { PendingLedger } from 'src/peers/memory/pending-ledger';
import type { Swarm } from 'src/peers/memory/swarm';
import { SwarmRegistry } from 'src/peers/memory/swarm-registry';
import { UserPeerLists } from 'src/peers/memory/user-peer-lists';
import { ipText } from 'src/peers/ip-text.util';
import { creditedBytes, seedTimeSince, totalsMovedForward } from 'src/peers/peer-accounting.util';
import { PeerStore } from 'src/peers/peer-store';
import type {
  AnnounceResult,
  PeerAnnounce,
  PeerTotals,
  PeerView,
  PendingBatch,
  SwarmCounts,
  SwarmUsers,
  UserTorrents,
} from 'src/peers/peer-store.types';

export interface MemoryPeerStoreOptions {
  peerTtlSeconds: number;
}

/** Expired peers an announce removes on its way; the timer sweep takes the rest, so no announce stalls. */
const ANNOUNCE_EXPIRY_BUDGET = 64;
const SWEEP_INTERVAL_MS = 5000;
const EMPTY = Buffer.alloc(0);

/**
 * The embedded peer store: every swarm in this process, in typed arrays (about 120 bytes a peer, see
 * scripts/bench/memory-per-peer.ts), with no per-peer objects. Single-threaded, so each call is atomic.
 * Time comes only from the `now` of each call (the sweep timer passes the wall clock), so tests control it.
 */
@Injectable()
export class MemoryPeerStore extends PeerStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MemoryPeerStore.name);
  private readonly ttlMs: number;
  private readonly slots = new PeerSlotTable();
  private readonly index = new PeerSlotIndex(this.slots);
  private readonly swarms = new SwarmRegistry(this.slots);
  private readonly expiry = new ExpiryQueue(this.slots);
  private readonly users = new UserPeerLists(this.slots);
  private readonly sampler = new PeerSampler(this.slots);
  private readonly ledger = new PendingLedger();
  private seeders = 0;
  private leechers = 0;
  /** Latest `now` seen; scrape has none of its own. */
  private clock = 0;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryPeerStoreOptions) {
    super();
    this.ttlMs = options.peerTtlSeconds * 1000;
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
    if (removed > 10000) {
      this.logger.log(`Expired ${removed} peers`);
    }
    return removed;
  }

  announce(announce: PeerAnnounce): Promise<AnnounceResult> {
    return new Promise((resolve) => resolve(this.applyAnnounce(announce)));
  }

  scrape(infoHashes: readonly string[]): Promise<Map<string, SwarmCounts>> {
    this.expire(this.clock, ANNOUNCE_EXPIRY_BUDGET);
    const out = new Map<string, SwarmCounts>();
    for (const infoHash of infoHashes) {
      const swarm = this.swarms.get(infoHash);
      if (swarm && swarm.size > 0) {
        out.set(infoHash, { complete: swarm.seeders.count, incomplete: swarm.leechers.count });
      }
    }
    return Promise.resolve(out);
  }

  swarmPeers(infoHash: string, now: number): Promise<PeerView[]> {
    const s = this.slots;
    const views = this.liveSlotsOf(infoHash, now).map((slot): PeerView => ({
      userId: s.userId[slot],
      peerId: Buffer.from(s.peerId.subarray(slot * 20, slot * 20 + 20)),
      ip: ipText(s.ip, slot * IP_BYTES, s.isIpv6(slot)),
      port: s.port[slot],
      seeder: s.isSeeder(slot),
      uploaded: s.uploaded[slot],
      downloaded: s.downloaded[slot],
      left: s.left[slot],
      lastAnnounce: s.lastAnnounce[slot],
    }));
    return Promise.resolve(views);
  }

  swarmUsers(infoHash: string, now: number): Promise<SwarmUsers> {
    const seeders = new Set<number>();
    const leechers = new Set<number>();
    for (const slot of this.liveSlotsOf(infoHash, now)) {
      (this.slots.isSeeder(slot) ? seeders : leechers).add(this.slots.userId[slot]);
    }
    return Promise.resolve({ seeders: [...seeders], leechers: [...leechers] });
  }

  userTorrents(userId: number, now: number): Promise<UserTorrents> {
    this.expire(now, Infinity);
    const seeding = new Set<string>();
    const leeching = new Set<string>();
    for (let slot = this.users.first(userId); slot !== NO_SLOT; slot = this.slots.userNext[slot]) {
      const infoHash = this.swarms.byIdOrThrow(this.slots.swarm[slot]).infoHash;
      (this.slots.isSeeder(slot) ? seeding : leeching).add(infoHash);
    }
    return Promise.resolve({ seeding: [...seeding], leeching: [...leeching] });
  }

  totals(now: number): Promise<PeerTotals> {
    this.expire(now, Infinity);
    return Promise.resolve({ peers: this.seeders + this.leechers, seeders: this.seeders, leechers: this.leechers });
  }

  removeTorrent(infoHash: string): Promise<void> {
    const swarm = this.swarms.get(infoHash);
    while (swarm && swarm.size > 0) {
      const list = swarm.seeders.count > 0 ? swarm.seeders : swarm.leechers;
      this.removePeer(list.items[list.count - 1]);
    }
    return Promise.resolve();
  }

  removeUser(userId: number): Promise<void> {
    for (let slot = this.users.first(userId); slot !== NO_SLOT; slot = this.users.first(userId)) {
      this.removePeer(slot);
    }
    return Promise.resolve();
  }

  claimPending(maxAccounts: number): Promise<PendingBatch | null> {
    return Promise.resolve(this.ledger.claim(maxAccounts));
  }

  ackPending(batchId: string): Promise<void> {
    this.ledger.ack(batchId);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  private applyAnnounce(a: PeerAnnounce): AnnounceResult {
    const { now } = a;
    const s = this.slots;
    this.expire(now, ANNOUNCE_EXPIRY_BUDGET);
    let swarm = this.swarms.get(a.infoHash);
    let slot = swarm ? this.index.find(swarm.id, a.userId, a.peerId) : NO_SLOT;
    if (slot !== NO_SLOT && s.lastAnnounce[slot] < now - this.ttlMs) {
      // Expired but not swept yet: it is gone, so this is a first announce.
      this.removePeer(slot);
      slot = NO_SLOT;
    }

    let uploaded = 0;
    let downloaded = 0;
    let rawUploaded = 0;
    let rawDownloaded = 0;
    let seedTime = 0;
    if (slot !== NO_SLOT && a.event !== 'started') {
      if (totalsMovedForward(s.uploaded[slot], s.downloaded[slot], a.uploaded, a.downloaded)) {
        rawUploaded = a.uploaded - s.uploaded[slot];
        rawDownloaded = a.downloaded - s.downloaded[slot];
        uploaded = creditedBytes(rawUploaded, a.uploadFactor);
        downloaded = creditedBytes(rawDownloaded, a.downloadFactor);
      }
      seedTime = seedTimeSince(s.isSeeder(slot), s.lastAnnounce[slot], now, this.ttlMs);
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
      if (slot !== NO_SLOT) {
        this.removePeer(slot);
      }
      swarm = this.swarms.get(a.infoHash);
      return {
        complete: swarm?.seeders.count ?? 0,
        incomplete: swarm?.leechers.count ?? 0,
        peers: {
          compact4: EMPTY,
          compact6: EMPTY,
          ids4: a.wantPeerIds ? EMPTY : null,
          ids6: a.wantPeerIds ? EMPTY : null,
        },
      };
    }

    swarm = this.swarms.getOrCreate(a.infoHash);
    const seeder = a.left === 0;
    if (slot === NO_SLOT) {
      this.insertPeer(swarm, a, seeder);
    } else {
      this.updatePeer(swarm, slot, a, seeder);
    }
    const peers =
      a.numwant > 0
        ? this.sampler.select(swarm, a.userId, seeder, a.numwant, a.wantPeerIds, now - this.ttlMs)
        : { compact4: EMPTY, compact6: EMPTY, ids4: a.wantPeerIds ? EMPTY : null, ids6: a.wantPeerIds ? EMPTY : null };
    return { complete: swarm.seeders.count, incomplete: swarm.leechers.count, peers };
  }

  private insertPeer(swarm: Swarm, a: PeerAnnounce, seeder: boolean): void {
    const slot = this.slots.allocate();
    const s = this.slots;
    s.swarm[slot] = swarm.id;
    s.userId[slot] = a.userId;
    s.writePeerId(slot, a.peerId);
    s.flags[slot] = 0;
    this.writeState(slot, a, seeder);
    this.index.insert(slot);
    swarm.listOf(seeder).add(slot);
    this.expiry.push(slot);
    this.users.link(slot);
    this.count(seeder, 1);
  }

  private updatePeer(swarm: Swarm, slot: number, a: PeerAnnounce, seeder: boolean): void {
    const was = this.slots.isSeeder(slot);
    this.writeState(slot, a, seeder);
    if (was !== seeder) {
      swarm.listOf(was).remove(slot);
      swarm.listOf(seeder).add(slot);
      this.count(was, -1);
      this.count(seeder, 1);
    }
    this.expiry.touch(slot);
  }

  private writeState(slot: number, a: PeerAnnounce, seeder: boolean): void {
    const s = this.slots;
    s.writeIp(slot, a.ipBytes);
    s.setSeeder(slot, seeder);
    s.port[slot] = a.port;
    s.uploaded[slot] = a.uploaded;
    s.downloaded[slot] = a.downloaded;
    s.left[slot] = a.left;
    s.lastAnnounce[slot] = a.now;
    if (a.now > this.clock) {
      this.clock = a.now;
    }
  }

  private removePeer(slot: number): void {
    const s = this.slots;
    const swarm = this.swarms.byIdOrThrow(s.swarm[slot]);
    const seeder = s.isSeeder(slot);
    swarm.listOf(seeder).remove(slot);
    this.index.remove(slot);
    this.expiry.unlink(slot);
    this.users.unlink(slot);
    s.free(slot);
    this.count(seeder, -1);
    if (swarm.size === 0) {
      this.swarms.delete(swarm);
    }
  }

  private count(seeder: boolean, delta: number): void {
    if (seeder) {
      this.seeders += delta;
    } else {
      this.leechers += delta;
    }
  }

  private expire(now: number, budget: number): number {
    if (now > this.clock) {
      this.clock = now;
    }
    const cutoff = now - this.ttlMs;
    let removed = 0;
    for (let slot = this.expiry.head; slot !== NO_SLOT && removed < budget; slot = this.expiry.head) {
      if (this.slots.lastAnnounce[slot] >= cutoff) {
        break;
      }
      this.removePeer(slot);
      removed++;
    }
    return removed;
  }

  private liveSlotsOf(infoHash: string, now: number): number[] {
    this.expire(now, Infinity);
    const swarm = this.swarms.get(infoHash);
    if (!swarm) {
      return [];
    }
    return [
      ...swarm.seeders.items.subarray(0, swarm.seeders.count),
      ...swarm.leechers.items.subarray(0, swarm.leechers.count),
    ];
  }
}
