import { Logger } from '@nestjs/common';
import type { RedisLedger } from 'src/peers/redis/redis-ledger';
import type { RedisUserIndex } from 'src/peers/redis/redis-user-index';

/**
 * The writes an announce needs outside its swarm's slot (the ledger's dirty mark, the user index entry), gathered
 * over one turn of the event loop and sent together: one SADD for every swarm marked, one ZADD per user. Each
 * command costs ioredis an object, a promise and its encoding; per announce that was a fifth of the store's CPU.
 * Each announce still waits for its own writes. A failure is logged, not thrown: the ledger's recovery scan and the
 * index's periodic refresh repair what is missing.
 */
export class AnnounceSideWrites {
  private readonly logger = new Logger(AnnounceSideWrites.name);
  private dirty = new Set<string>();
  /** userId → info hash → when. */
  private entries = new Map<number, Map<string, number>>();
  private written: Promise<void> | null = null;

  constructor(
    private readonly ledger: RedisLedger,
    private readonly users: RedisUserIndex,
  ) {}

  /** What the announce script asked for: the swarm's dirty mark, the user's index entry; settles once written. */
  add(
    { infoHash, userId, now }: { infoHash: string; userId: number; now: number },
    { dirty, indexDue }: { dirty: boolean; indexDue: boolean },
  ): Promise<void> {
    if (dirty) {
      this.dirty.add(infoHash);
    }
    if (indexDue) {
      let swarms = this.entries.get(userId);
      if (!swarms) {
        swarms = new Map();
        this.entries.set(userId, swarms);
      }
      swarms.set(infoHash, now);
    }
    this.written ??= new Promise((resolve) => setImmediate(() => void this.write().then(resolve)));
    return this.written;
  }

  private async write(): Promise<void> {
    const dirty = [...this.dirty];
    const entries = this.entries;
    this.dirty = new Set();
    this.entries = new Map();
    this.written = null;
    const writes: Promise<unknown>[] = [];
    if (dirty.length > 0) {
      writes.push(this.ledger.markDirty(dirty));
    }
    for (const [userId, swarms] of entries) {
      writes.push(this.users.add(userId, swarms));
    }
    for (const result of await Promise.allSettled(writes)) {
      if (result.status === 'rejected') {
        this.logger.warn(`Index update after announces failed (repaired later): ${String(result.reason)}`);
      }
    }
  }
}
