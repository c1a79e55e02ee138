import { Module } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { RedisConnection } from 'src/redis/redis-connection';

/** Provides the RedisConnection when REDIS_URL or REDIS_CLUSTER_NODES is set, and null otherwise. */
@Module({
  providers: [
    {
      provide: RedisConnection,
      inject: [TRACKER_CONFIG],
      useFactory: (config: TrackerConfig) => (config.peerStore === 'memory' ? null : new RedisConnection(config)),
    },
  ],
  exports: [RedisConnection],
})
export class RedisModule {}
