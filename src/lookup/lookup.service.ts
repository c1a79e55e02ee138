import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { BatchedRefresh } from 'src/lookup/batched-refresh';
import { ClientRulesCache } from 'src/lookup/client-rules.cache';
import { FoundMissingCache, MISSING, type Cached } from 'src/lookup/found-missing-cache';
import { InvalidationBus } from 'src/lookup/invalidation-bus';
import type { Invalidation, TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';
import { promotionWindows, type PromotionWindows } from 'src/lookup/promotion-windows';
import { SitePromotions } from 'src/lookup/site-promotions';
import { SnapshotReader } from 'src/lookup/snapshot-reader';
import { TrackerMetrics, type LookupCache } from 'src/metrics/tracker-metrics';
import { ClientBlocksRepository } from 'src/storage/repositories/client-blocks.repository';
import { ClientsRepository } from 'src/storage/repositories/clients.repository';
import { PromotionsRepository } from 'src/storage/repositories/promotions.repository';
import { TorrentsRepository } from 'src/storage/repositories/torrents.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';

/**
 * Read-through cache of passkey → user, info hash → torrent and the client rules (whitelist and block list), for
 * announce and scrape.
 * Promotions ride along: a user's own and its tokens in its snapshot, a torrent's in the torrent's, site-wide ones
 * in a small set (SitePromotions); each loaded with the start and end times of those not over yet.
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
  private readonly site: SitePromotions;
  private readonly reader: SnapshotReader;
  /** Misses being read, by `kind:key:generation`. */
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly usersRepository: UsersRepository,
    private readonly torrentsRepository: TorrentsRepository,
    clientsRepository: ClientsRepository,
    clientBlocksRepository: ClientBlocksRepository,
    private readonly promotionsRepository: PromotionsRepository,
    private readonly bus: InvalidationBus,
    private readonly metrics: TrackerMetrics,
    private readonly clock: Clock,
  ) {
    const { maxEntries, maxMissingEntries, ttlMs } = config.lookupCache;
    this.userCache = new FoundMissingCache(maxEntries, maxMissingEntries);
    this.torrentCache = new FoundMissingCache(maxEntries, maxMissingEntries);
    this.clientRules = new ClientRulesCache(config.lookupCache.ttlMs, clientsRepository, clientBlocksRepository);
    this.reader = new SnapshotReader(usersRepository, torrentsRepository, promotionsRepository, clock);
    this.site = new SitePromotions(
      async () => promotionWindows(await this.promotionsRepository.siteWide(new Date(this.clock.now()))),
      ttlMs,
    );
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
    return this.load(
      this.userCache,
      'user',
      passkey,
      async () => (await this.reader.users([passkey])).get(passkey) ?? null,
    );
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
    return this.load(
      this.torrentCache,
      'torrent',
      infoHash,
      async () => (await this.reader.torrents([infoHash])).get(infoHash) ?? null,
    );
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

  /** The site-wide promotions without a promise; undefined when not loaded yet (then call sitePromotions). */
  cachedSitePromotions(): PromotionWindows | undefined {
    return this.site.cached();
  }

  sitePromotions(): Promise<PromotionWindows> {
    return this.site.get();
  }

  /** Called by admin writes: drop the entry here at once, then tell the other instances. */
  async invalidate(invalidation: Invalidation): Promise<void> {
    if (invalidation.kind === 'promotions') {
      // This instance answers with the new set as soon as the write is acknowledged.
      await this.site.changed().catch((error: Error) => this.siteReloadFailed(error));
    } else {
      this.apply(invalidation);
    }
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
      case 'promotions':
        this.site.changed().catch((error: Error) => this.siteReloadFailed(error));
        break;
      case 'all':
        this.userCache.clear();
        this.torrentCache.clear();
        this.clientRules.forget();
        this.site.changed().catch((error: Error) => this.siteReloadFailed(error));
        break;
    }
  }

  private cachedFoundUser(passkey: string): UserSnapshot | undefined {
    const cached = this.userCache.peekFound(passkey)?.value;
    return cached === undefined || cached === MISSING ? undefined : cached;
  }

  private siteReloadFailed(error: Error): void {
    this.logger.warn(`Could not reload the site-wide promotions: ${error.message}`);
  }

  /** Loads these passkeys' users (or their absence) into the cache. */
  private async reloadUsers(passkeys: string[]): Promise<void> {
    const generation = this.generation;
    const users = await this.reader.users(passkeys, (passkey) => this.cachedFoundUser(passkey));
    for (const passkey of passkeys) {
      this.store(this.userCache, passkey, users.get(passkey) ?? null, generation);
    }
  }

  /** Loads these torrents (or their absence) into the cache; returns the ones found. */
  private async reloadTorrents(infoHashes: string[]): Promise<TorrentSnapshot[]> {
    const generation = this.generation;
    const torrents = await this.reader.torrents(infoHashes);
    const found: TorrentSnapshot[] = [];
    for (const infoHash of infoHashes) {
      const snapshot = torrents.get(infoHash) ?? null;
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

  /**
   * A cache miss: reads the entry from PostgreSQL and caches it, unless an invalidation came in meanwhile. Misses of
   * one key while its read is in flight wait for that read: a cold user holding thousands of tokens, announced by
   * many peers at once, is read once.
   */
  private load<T extends object>(
    cache: FoundMissingCache<T>,
    kind: LookupCache,
    key: string,
    read: () => Promise<T | null>,
  ): Promise<T | null> {
    this.metrics.lookup(kind, 'miss');
    // Not a read that began before an invalidation: its answer may be the old one.
    const generation = this.generation;
    const id = `${kind}:${key}:${generation}`;
    const pending = this.loading.get(id) as Promise<T | null> | undefined;
    if (pending) {
      return pending;
    }
    const loading = read()
      .then((snapshot) => {
        this.store(cache, key, snapshot, generation);
        return snapshot;
      })
      .finally(() => this.loading.delete(id));
    this.loading.set(id, loading);
    return loading;
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
