import { Module } from '@nestjs/common';
import { AnnounceLog, MemoryAnnounceLog, NoAnnounceLog } from 'src/diagnostics/announce-log';
import { RedisAnnounceLog } from 'src/diagnostics/redis-announce-log';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { RedisConnection } from 'src/redis/redis-connection';
import { RedisModule } from 'src/redis/redis.module';

function createAnnounceLog(config: TrackerConfig, redis: RedisConnection | null): AnnounceLog {
  const { size, ttlMs } = config.announceLog;
  if (size === 0) {
    return new NoAnnounceLog();
  }
  return redis
    ? new RedisAnnounceLog(redis.client, config.redis.keyPrefix, size, ttlMs)
    : new MemoryAnnounceLog(size, ttlMs);
}

/** The staff's diagnostics: each user's last announces (ANNOUNCE_LOG_SIZE), in Redis or in memory. */
@Module({
  imports: [RedisModule],
  providers: [{ provide: AnnounceLog, inject: [TRACKER_CONFIG, RedisConnection], useFactory: createAnnounceLog }],
  exports: [AnnounceLog],
})
export class DiagnosticsModule {}
