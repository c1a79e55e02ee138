import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { AnnounceLog } from 'src/diagnostics/announce-log';
import { encodeLogEntry, type LoggedOutcome, type LoggedRequest } from 'src/diagnostics/announce-log-entry.util';
import { maxBinaryLogEntryBytes, readBinaryLogEntry, writeBinaryLogEntry } from 'src/diagnostics/binary-log-entry.util';
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

type Arg = Buffer | string | number;

interface PushCommands {
  /** One list (a Cluster's path): a fixed key count, so that the Cluster routes it by its key. */
  announceLogPush(key: string, ...args: Arg[]): Promise<number>;
}

/** The entries recorded since the last flush: their bytes one after another, and the user of each. */
class PendingEntries {
  bytes = Buffer.allocUnsafe(64 * 1024);
  length = 0;
  readonly users: number[] = [];
  /** Where each entry starts in `bytes`; it ends where the next starts (or at `length`). */
  readonly starts: number[] = [];

  get count(): number {
    return this.users.length;
  }

  add(userId: number, time: number, request: LoggedRequest | null, outcome: LoggedOutcome): void {
    const needed = this.length + maxBinaryLogEntryBytes(outcome);
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.bytes.length));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    // Written before it is listed: an entry that cannot be written leaves nothing half-recorded.
    const end = writeBinaryLogEntry(this.bytes, this.length, time, request, outcome);
    this.users.push(userId);
    this.starts.push(this.length);
    this.length = end;
  }

  /** Each user's entries, oldest first, as views of `bytes`. */
  byUser(): Map<number, Buffer[]> {
    const users = new Map<number, Buffer[]>();
    for (let i = 0; i < this.users.length; i++) {
      const entry = this.bytes.subarray(this.starts[i], i + 1 < this.starts.length ? this.starts[i + 1] : this.length);
      const entries = users.get(this.users[i]);
      if (entries === undefined) {
        users.set(this.users[i], [entry]);
      } else {
        entries.push(entry);
      }
    }
    return users;
  }
}

/**
 * A capped list per user (`<prefix>announces:<user id>`, newest first), shared by every instance. Entries are
 * written as bytes (binary-log-entry.util.ts) into one buffer for FLUSH_DELAY_MS and pushed after the announces that
 * made them were answered, by one script call per 500 users on a single Redis (a call per user would add a command
 * per announce), one per user on a Cluster, where one key per user spreads the lists over the slots. Lists written
 * by earlier builds hold JSON entries, which are read as they are.
 */
export class RedisAnnounceLog extends AnnounceLog implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RedisAnnounceLog.name);
  private pending = new PendingEntries();
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
    if (this.pending.count >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    try {
      this.pending.add(userId, time, request, outcome);
    } catch {
      // A value the format cannot hold (a port above 65535, say): the entry is dropped, never the announce.
      this.dropped++;
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
  }

  async read(userId: number): Promise<string[]> {
    await this.flush();
    const entries = await this.client.lrangeBuffer(this.keyOf(userId), 0, this.size - 1);
    return entries.map(asJson);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Writes what is pending; a failure is logged and the entries are dropped (they are diagnostics, not accounts). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    if (pending.count === 0) {
      return;
    }
    this.pending = new PendingEntries();
    const writes: Promise<unknown>[] = [];
    let keys: string[] = [];
    let args: Arg[] = [this.size, this.ttlMs];
    for (const [userId, entries] of pending.byUser()) {
      const kept = entries.length > this.size ? entries.slice(-this.size) : entries;
      keys.push(this.keyOf(userId));
      args.push(kept.length);
      for (const entry of kept) {
        args.push(entry);
      }
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
      return this.script.call(
        keys,
        args.map((arg) => (typeof arg === 'number' ? String(arg) : arg)),
      );
    }
    return this.run.announceLogPush(keys[0], ...args);
  }

  private keyOf(userId: number): string {
    return `${this.keyPrefix}announces:${userId}`;
  }
}

/** An entry as the admin API reads it (announce-log-entry.util.ts): JSON, as earlier builds wrote them. */
function asJson(stored: Buffer): string {
  if (stored[0] === 0x5b) {
    return stored.toString('utf8'); // `[`: written by an earlier build
  }
  const entry = readBinaryLogEntry(stored);
  return entry === null ? '' : encodeLogEntry(entry.time, entry.request, entry.outcome);
}
