import { Module } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { InvalidationBus, LocalInvalidationBus } from 'src/lookup/invalidation-bus';
import { LookupService } from 'src/lookup/lookup.service';
import { RedisInvalidationBus } from 'src/lookup/redis-invalidation-bus';
import { RedisConnection } from 'src/redis/redis-connection';
import { RedisModule } from 'src/redis/redis.module';
import { StorageModule } from 'src/storage/storage.module';

@Module({
  imports: [StorageModule, RedisModule],
  providers: [
    Clock,
    LookupService,
    {
      provide: InvalidationBus,
      inject: [TRACKER_CONFIG, RedisConnection],
      useFactory: (config: TrackerConfig, redis: RedisConnection | null) =>
        redis ? new RedisInvalidationBus(redis, config.redis.keyPrefix) : new LocalInvalidationBus(),
    },
  ],
  exports: [LookupService, Clock],
})
export class LookupModule {}
