import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { AnnounceLog } from 'src/diagnostics/announce-log';
import { encodeLogEntry, type LoggedOutcome, type LoggedRequest } from 'src/diagnostics/announce-log-entry.util';
import type { RedisClient } from 'src/redis/redis-connection';
import { EncodedScript } from 'src/redis/encoded-script';

/** How long entries wait to be written together: announces are never kept waiting for them. */
const FLUSH_DELAY_MS = 100;
/** Entries waiting at most; beyond it (Redis away), new ones are dropped and counted in the log. */
const MAX_PENDING = 20_000;

/** Users' lists written by one script call on a single Redis (a Cluster takes one key per call). */
const USERS_PER_CALL = 500;

/**
 * KEYS: users' lists. ARGV: size, TTL (ms), then for each key its entry count and its entries, oldest first. Pushes,
 * trims each list to size and renews its TTL.
 */
const PUSH_LUA = `
local size = tonumber(ARGV[1])
local at = 3
for _, key in ipairs(KEYS) do
  local count = tonumber(ARGV[at])
  redis.call('LPUSH', key, unpack(ARGV, at + 1, at + count))
  at = at + count + 1
  redis.call('LTRIM', key, 0, size - 1)
  redis.call('PEXPIRE', key, ARGV[2])
end
return 0
`;

type Arg = string | number;

interface PushCommands {
  /** One list (a Cluster's path): a fixed key count, so that the Cluster routes it by its key. */
  announceLogPush(key: string, ...args: Arg[]): Promise<number>;
}

/**
 * A capped list per user (`<prefix>announces:<user id>`, newest first), shared by every instance. Entries are
 * buffered for FLUSH_DELAY_MS and written after the announces that made them were answered, by one script call per
 * 500 users on a single Redis (a call per user would add a command per announce), one per user on a Cluster, where
 * one key per user spreads the lists over the slots.
 */
export class RedisAnnounceLog extends AnnounceLog implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RedisAnnounceLog.name);
  private pending = new Map<number, string[]>();
  private pendingCount = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly run: PushCommands;
  private readonly usersPerCall: number;
  /** The push script as whole frames on a single Redis (encoded-script.ts): a flush carries ~2 arguments an entry. */
  private readonly script: EncodedScript | undefined;

  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly size: number,
    private readonly ttlMs: number,
  ) {
    super();
    if (client instanceof Cluster) {
      client.defineCommand('announceLogPush', { numberOfKeys: 1, lua: PUSH_LUA });
    }
    this.run = client as unknown as PushCommands;
    this.usersPerCall = client instanceof Cluster ? 1 : USERS_PER_CALL;
    this.script = client instanceof Cluster ? undefined : new EncodedScript(client, PUSH_LUA);
  }

  record(userId: number, time: number, request: LoggedRequest | null, outcome: LoggedOutcome): void {
    if (this.pendingCount >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    const entry = encodeLogEntry(time, request, outcome);
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
    const writes: Promise<unknown>[] = [];
    let keys: string[] = [];
    let args: Arg[] = [this.size, this.ttlMs];
    for (const [userId, entries] of pending) {
      const kept = entries.length > this.size ? entries.slice(-this.size) : entries;
      keys.push(this.keyOf(userId));
      args.push(kept.length, ...kept);
      if (keys.length === this.usersPerCall) {
        writes.push(this.push(keys, args));
        keys = [];
        args = [this.size, this.ttlMs];
      }
    }
    if (keys.length > 0) {
      writes.push(this.push(keys, args));
    }
    const failed = (await Promise.allSettled(writes)).filter((write) => write.status === 'rejected');
    if (failed.length > 0 || this.dropped > 0) {
      const reason = failed.length > 0 ? ` (${String(failed[0].reason)})` : '';
      this.logger.warn(`Announce log: ${failed.length} writes failed${reason}, ${this.dropped} entries dropped`);
      this.dropped = 0;
    }
  }

  private push(keys: string[], args: Arg[]): Promise<unknown> {
    if (this.script !== undefined) {
      return this.script.call(keys, args.map(String));
    }
    return this.run.announceLogPush(keys[0], ...args);
  }

  private keyOf(userId: number): string {
    return `${this.keyPrefix}announces:${userId}`;
  }
}
