import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { BatchedRefresh } from 'src/lookup/batched-refresh';
import { ClientRulesCache } from 'src/lookup/client-rules.cache';
import { FoundMissingCache, MISSING, type Cached } from 'src/lookup/found-missing-cache';
import { InvalidationBus } from 'src/lookup/invalidation-bus';
import type { Invalidation, TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';
import { TrackerMetrics, type LookupCache } from 'src/metrics/tracker-metrics';
import { ClientBlocksRepository } from 'src/storage/repositories/client-blocks.repository';
import { ClientsRepository } from 'src/storage/repositories/clients.repository';
import { TorrentsRepository } from 'src/storage/repositories/torrents.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';

/**
 * Read-through cache of passkey → user, info hash → torrent and the client rules (whitelist and block list), for
 * announce and scrape.
 * Admin writes invalidate entries at once on every instance. LOOKUP_CACHE_TTL_MS bounds how long an entry is
 * trusted without that (a lost invalidation): an older entry still answers, and is reloaded in the background in
 * batches (BatchedRefresh), so that entries growing old never make announces wait for PostgreSQL, and keep
 * answering while PostgreSQL is away.
 * Responses are never cached, only these lookups.
 */
@Injectable()
export class LookupService implements OnModuleInit {
  private readonly logger = new Logger(LookupService.name);
  private readonly userCache: FoundMissingCache<UserSnapshot>;
  private readonly torrentCache: FoundMissingCache<TorrentSnapshot>;
  private readonly clientRules: ClientRulesCache;
  /** Bumped by every invalidation: a load that started before one must not store what it read. */
  private generation = 0;
  private readonly refreshUsers = new BatchedRefresh('users', (passkeys) => this.reloadUsers(passkeys));
  private readonly refreshTorrents = new BatchedRefresh('torrents', (hashes) => this.reloadTorrents(hashes));

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly usersRepository: UsersRepository,
    private readonly torrentsRepository: TorrentsRepository,
    clientsRepository: ClientsRepository,
    clientBlocksRepository: ClientBlocksRepository,
    private readonly bus: InvalidationBus,
    private readonly metrics: TrackerMetrics,
  ) {
    const { maxEntries, maxMissingEntries } = config.lookupCache;
    this.userCache = new FoundMissingCache(maxEntries, maxMissingEntries);
    this.torrentCache = new FoundMissingCache(maxEntries, maxMissingEntries);
    this.clientRules = new ClientRulesCache(config.lookupCache.ttlMs, clientsRepository, clientBlocksRepository);
  }

  async onModuleInit(): Promise<void> {
    await this.bus.subscribe((invalidation) => this.apply(invalidation));
  }

  /**
   * The cached answer of userByPasskey, without a promise: the user, null when cached as unknown, undefined when
   * not cached (then call userByPasskey). Announces are answered from the cache, so this spares each one an await.
   */
  cachedUser(passkey: string): UserSnapshot | null | undefined {
    return this.peek(this.userCache, this.refreshUsers, 'user', passkey);
  }

  async userByPasskey(passkey: string): Promise<UserSnapshot | null> {
    const cached = this.cachedUser(passkey);
    if (cached !== undefined) {
      return cached;
    }
    return this.load(this.userCache, 'user', passkey, async () => {
      const user = await this.usersRepository.findByPasskey(passkey);
      return user && toUserSnapshot(user);
    });
  }

  /** Like cachedUser, for torrent(). */
  cachedTorrent(infoHash: string): TorrentSnapshot | null | undefined {
    return this.peek(this.torrentCache, this.refreshTorrents, 'torrent', infoHash);
  }

  async torrent(infoHash: string): Promise<TorrentSnapshot | null> {
    const cached = this.cachedTorrent(infoHash);
    if (cached !== undefined) {
      return cached;
    }
    return this.load(this.torrentCache, 'torrent', infoHash, async () => {
      const torrent = await this.torrentsRepository.findByInfoHash(infoHash);
      return torrent && toTorrentSnapshot(torrent);
    });
  }

  /** For scrape: one query for every hash that is not cached. */
  async torrentsByInfoHash(infoHashes: string[]): Promise<Map<string, TorrentSnapshot>> {
    const found = new Map<string, TorrentSnapshot>();
    const missing: string[] = [];
    for (const infoHash of infoHashes) {
      const cached = this.cachedTorrent(infoHash);
      if (cached === undefined) {
        missing.push(infoHash);
      } else if (cached) {
        found.set(infoHash, cached);
      }
    }
    if (missing.length > 0) {
      this.metrics.lookup('torrent', 'miss', missing.length);
      for (const snapshot of await this.reloadTorrents(missing)) {
        found.set(snapshot.infoHash, snapshot);
      }
    }
    return found;
  }

  /** Like cachedUser, for clientAllowed(); an old whitelist keeps answering while it is reloaded. */
  cachedClientAllowed(peerId: Buffer, now: number): boolean | undefined {
    return this.clientRules.cachedAllowed(peerId, now);
  }

  /** An empty whitelist allows every client; otherwise the peer_id must start with a listed prefix. */
  clientAllowed(peerId: Buffer): Promise<boolean> {
    return this.clientRules.allowed(peerId);
  }

  /** Like cachedUser, for clientBlocked(): the refusal sentence, null when not blocked, undefined when not cached. */
  cachedClientBlocked(peerId: Buffer, now: number): string | null | undefined {
    return this.clientRules.cachedBlocked(peerId, now);
  }

  /** The refusal sentence of the block-list entry that blocks this peer_id (src/clients/), or null. */
  clientBlocked(peerId: Buffer): Promise<string | null> {
    return this.clientRules.blocked(peerId);
  }

  /** Called by admin writes: drop the entry here at once, then tell the other instances. */
  async invalidate(invalidation: Invalidation): Promise<void> {
    this.apply(invalidation);
    try {
      await this.bus.publish(invalidation);
    } catch (error) {
      // The write itself succeeded; other instances catch up when their entries expire.
      this.logger.error(`Could not publish a cache invalidation: ${(error as Error).message}`);
    }
  }

  private apply(invalidation: Invalidation): void {
    this.generation++;
    switch (invalidation.kind) {
      case 'passkey':
        this.userCache.delete(invalidation.passkey);
        break;
      case 'torrent':
        this.torrentCache.delete(invalidation.infoHash);
        break;
      case 'passkeys':
        invalidation.passkeys.forEach((passkey) => this.userCache.delete(passkey));
        break;
      case 'torrents':
        invalidation.infoHashes.forEach((infoHash) => this.torrentCache.delete(infoHash));
        break;
      case 'snatches':
        for (const [infoHash, completed] of invalidation.counts) {
          this.updateCompleted(infoHash, completed);
        }
        break;
      case 'clients':
        this.clientRules.forget();
        break;
      case 'all':
        this.userCache.clear();
        this.torrentCache.clear();
        this.clientRules.forget();
        break;
    }
  }

  /** Loads these passkeys' users (or their absence) into the cache. */
  private async reloadUsers(passkeys: string[]): Promise<void> {
    const generation = this.generation;
    const users = new Map((await this.usersRepository.findManyByPasskey(passkeys)).map((u) => [u.passkey, u]));
    for (const passkey of passkeys) {
      const user = users.get(passkey);
      this.store(this.userCache, passkey, user ? toUserSnapshot(user) : null, generation);
    }
  }

  /** Loads these torrents (or their absence) into the cache; returns the ones found. */
  private async reloadTorrents(infoHashes: string[]): Promise<TorrentSnapshot[]> {
    const generation = this.generation;
    const torrents = new Map(
      (await this.torrentsRepository.findManyByInfoHash(infoHashes)).map((t) => [t.infoHash, t]),
    );
    const found: TorrentSnapshot[] = [];
    for (const infoHash of infoHashes) {
      const torrent = torrents.get(infoHash);
      const snapshot = torrent ? toTorrentSnapshot(torrent) : null;
      this.store(this.torrentCache, infoHash, snapshot, generation);
      if (snapshot) {
        found.push(snapshot);
      }
    }
    return found;
  }

  /** Counts only grow; from several instances' flushes they may arrive out of order. */
  private updateCompleted(infoHash: string, completed: number): void {
    const cached = this.torrentCache.peekFound(infoHash);
    if (cached && cached.value !== MISSING && completed > cached.value.completed) {
      cached.value = { ...cached.value, completed };
    }
  }

  /** A cache miss: reads the entry from PostgreSQL and caches it, unless an invalidation came in meanwhile. */
  private async load<T extends object>(
    cache: FoundMissingCache<T>,
    kind: LookupCache,
    key: string,
    read: () => Promise<T | null>,
  ): Promise<T | null> {
    this.metrics.lookup(kind, 'miss');
    const generation = this.generation;
    const snapshot = await read();
    this.store(cache, key, snapshot, generation);
    return snapshot;
  }

  /** A cached entry (counted as a hit), asking for its reload when it is past the TTL; undefined when absent. */
  private peek<T extends object>(
    cache: FoundMissingCache<T>,
    refresh: BatchedRefresh,
    kind: LookupCache,
    key: string,
  ): T | null | undefined {
    const cached = cache.get(key);
    if (cached === undefined) {
      return undefined;
    }
    this.metrics.lookup(kind, 'hit');
    if (this.isStale(cached)) {
      refresh.request(key);
    }
    return cached.value === MISSING ? null : cached.value;
  }

  private isStale(cached: Cached<unknown>): boolean {
    return Date.now() - cached.loadedAt >= this.config.lookupCache.ttlMs;
  }

  private store<T extends object>(cache: FoundMissingCache<T>, key: string, value: T | null, generation: number): void {
    if (generation === this.generation && this.config.lookupCache.ttlMs > 0) {
      cache.set(key, { value: value ?? MISSING, loadedAt: Date.now() });
    }
  }
}

function toUserSnapshot(user: UserSnapshot): UserSnapshot {
  return {
    id: user.id,
    enabled: user.enabled,
    canLeech: user.canLeech,
    uploadMultiplier: user.uploadMultiplier,
    downloadMultiplier: user.downloadMultiplier,
  };
}

function toTorrentSnapshot(torrent: TorrentSnapshot): TorrentSnapshot {
  return {
    infoHash: torrent.infoHash,
    deleted: torrent.deleted,
    freeleech: torrent.freeleech,
    uploadMultiplier: torrent.uploadMultiplier,
    downloadMultiplier: torrent.downloadMultiplier,
    completed: torrent.completed,
  };
}
