import { Module, type OnModuleInit } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';
import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import { PeerStore } from 'src/peers/peer-store';
import { STORE_POLICIES, type PeerStoreRules, type StoreRule } from 'src/peers/peer-store.types';
import { RedisPeerStore } from 'src/peers/redis/redis-peer-store';
import { RedisConnection } from 'src/redis/redis-connection';
import { RedisModule } from 'src/redis/redis.module';

const STORE_RULES = Object.keys(STORE_POLICIES) as StoreRule[];

/** The rules the store enforces in its atomic step, from the configuration. */
function storeRules(config: TrackerConfig): PeerStoreRules {
  return {
    maxPeersPerUserTorrent: config.maxPeersPerUserTorrent,
    pacing: config.announcePacing,
    minIntervalMs: config.minInterval * 1000,
    cheatPolicy: config.cheatPolicy,
    maxUploadRate: config.maxUploadRate,
    observed: STORE_RULES.filter((rule) => config.policyModes.get(STORE_POLICIES[rule]) === 'observe'),
  };
}

/** Builds the store the configuration asks for; an unknown kind is a bug, not a fallback. */
function createPeerStore(config: TrackerConfig, redis: RedisConnection | null): PeerStore {
  const kind = config.peerStore;
  switch (kind) {
    case 'memory':
      return new MemoryPeerStore({
        peerTtlSeconds: config.peerTtl,
        maxTransferRate: config.maxTransferRate,
        rules: storeRules(config),
      });
    case 'redis':
    case 'redis-cluster':
      if (!redis) {
        throw new Error(`Peer store ${kind} needs a Redis connection`);
      }
      return new RedisPeerStore(redis.client, {
        peerTtlSeconds: config.peerTtl,
        keyPrefix: config.redis.keyPrefix,
        keptSwarmsBytes: config.redis.swarmCacheBytes,
        maxTransferRate: config.maxTransferRate,
        rules: storeRules(config),
      });
    default:
      throw new Error(`Unknown peer store: ${String(kind satisfies never)}`);
  }
}

@Module({
  imports: [RedisModule],
  providers: [{ provide: PeerStore, inject: [TRACKER_CONFIG, RedisConnection], useFactory: createPeerStore }],
  exports: [PeerStore],
})
export class PeersModule implements OnModuleInit {
  constructor(
    private readonly peers: PeerStore,
    private readonly metrics: TrackerMetrics,
  ) {}

  onModuleInit(): void {
    const totals = () => this.peers.totals(Date.now());
    this.metrics.gauge('tracker_peers', 'Live peers in every swarm', async () => (await totals()).peers);
    this.metrics.gauge('tracker_seeders', 'Live seeders', async () => (await totals()).seeders);
    this.metrics.gauge('tracker_leechers', 'Live leechers', async () => (await totals()).leechers);
  }
}
