import { Module } from '@nestjs/common';
import { ABUSE_BAN_POLICY, AbuseBanService } from 'src/abuse/abuse-ban.service';
import { BanRegistry, LocalBanRegistry } from 'src/abuse/ban-registry';
import { RedisBanRegistry } from 'src/abuse/redis-ban-registry';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';
import { RedisConnection } from 'src/redis/redis-connection';
import { RedisModule } from 'src/redis/redis.module';

/** Abuse bans (FAILED_LOOKUP_LIMIT, ABUSE_BAN_SECONDS): shared over Redis, per instance with the memory store. */
@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: BanRegistry,
      inject: [TRACKER_CONFIG, RedisConnection],
      useFactory: (config: TrackerConfig, redis: RedisConnection | null) =>
        redis
          ? new RedisBanRegistry(redis, config.redis.keyPrefix, config.failedLookups.banMs)
          : new LocalBanRegistry(),
    },
    {
      provide: AbuseBanService,
      inject: [TRACKER_CONFIG, BanRegistry, TrackerMetrics],
      useFactory: (config: TrackerConfig, registry: BanRegistry, metrics: TrackerMetrics) =>
        new AbuseBanService(
          config.failedLookups,
          registry,
          config.policyModes.get(ABUSE_BAN_POLICY) === 'observe' ? metrics.policyWouldRefuse(ABUSE_BAN_POLICY) : null,
        ),
    },
  ],
  exports: [AbuseBanService],
})
export class AbuseModule {}
