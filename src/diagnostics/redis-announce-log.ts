import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AnnounceLog } from 'src/diagnostics/announce-log';
import type { RedisClient } from 'src/redis/redis-connection';

/** How long entries wait to be written together: announces are never kept waiting for them. */
const FLUSH_DELAY_MS = 100;
/** Entries waiting at most; beyond it (Redis away), new ones are dropped and counted in the log. */
const MAX_PENDING = 20_000;

/** KEYS[1]: a user's list. ARGV: size, TTL (ms), entries oldest first. Pushes, trims to size, renews the TTL. */
const PUSH_LUA = `
for i = 3, #ARGV do
  redis.call('LPUSH', KEYS[1], ARGV[i])
end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

interface PushCommand {
  announceLogPush(key: string, size: number, ttlMs: number, ...entries: string[]): Promise<number>;
}

/**
 * A capped list per user (`<prefix>announces:<user id>`, newest first), shared by every instance. Entries are
 * buffered and written a user at a time by one script, after the announces that made them were answered; one key
 * per user spreads the lists over a Cluster's slots.
 */
export class RedisAnnounceLog extends AnnounceLog implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RedisAnnounceLog.name);
  private pending = new Map<number, string[]>();
  private pendingCount = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly run: PushCommand;

  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly size: number,
    private readonly ttlMs: number,
  ) {
    super();
    client.defineCommand('announceLogPush', { numberOfKeys: 1, lua: PUSH_LUA });
    this.run = client as unknown as PushCommand;
  }

  record(userId: number, entry: string): void {
    if (this.pendingCount >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    const entries = this.pending.get(userId);
    if (entries === undefined) {
      this.pending.set(userId, [entry]);
    } else {
      entries.push(entry);
    }
    this.pendingCount++;
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
  }

  async read(userId: number): Promise<string[]> {
    await this.flush();
    return this.client.lrange(this.keyOf(userId), 0, this.size - 1);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Writes what is pending; a failure is logged and the entries are dropped (they are diagnostics, not accounts). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    if (pending.size === 0) {
      return;
    }
    this.pending = new Map();
    this.pendingCount = 0;
    const writes: Promise<number>[] = [];
    for (const [userId, entries] of pending) {
      const kept = entries.length > this.size ? entries.slice(-this.size) : entries;
      writes.push(this.run.announceLogPush(this.keyOf(userId), this.size, this.ttlMs, ...kept));
    }
    const failed = (await Promise.allSettled(writes)).filter((write) => write.status === 'rejected');
    if (failed.length > 0 || this.dropped > 0) {
      const reason = failed.length > 0 ? ` (${String(failed[0].reason)})` : '';
      this.logger.warn(`Announce log: ${failed.length} users' entries not written${reason}, ${this.dropped} dropped`);
      this.dropped = 0;
    }
  }

  private keyOf(userId: number): string {
    return `${this.keyPrefix}announces:${userId}`;
  }
}
