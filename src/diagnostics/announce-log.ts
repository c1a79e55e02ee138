import { LRUCache } from 'lru-cache';

/** Users whose announces the memory log keeps at once; the least recently announcing are forgotten first. */
export const MEMORY_LOG_USERS = 10_000;

/**
 * Each user's last announces (encoded entries, announce-log-entry.util.ts), for the staff's diagnostics. Written on
 * the announce path without waiting; read by the admin API.
 */
export abstract class AnnounceLog {
  /** False when nothing is kept (ANNOUNCE_LOG_SIZE=0): the announce path then builds no entry. */
  readonly enabled: boolean = true;
  /** Keeps an entry; never waits, never throws. */
  abstract record(userId: number, entry: string): void;
  /** The user's kept entries, latest first. */
  abstract read(userId: number): Promise<string[]>;
}

/** Per instance (memory peer store): a ring per user, for the MEMORY_LOG_USERS most recent users. */
export class MemoryAnnounceLog extends AnnounceLog {
  private readonly users: LRUCache<number, string[]>;

  constructor(
    private readonly size: number,
    ttlMs: number,
  ) {
    super();
    this.users = new LRUCache({ max: MEMORY_LOG_USERS, ttl: ttlMs, updateAgeOnGet: true });
  }

  record(userId: number, entry: string): void {
    const entries = this.users.get(userId);
    if (entries === undefined) {
      this.users.set(userId, [entry]);
      return;
    }
    entries.push(entry);
    if (entries.length > this.size) {
      entries.shift();
    }
  }

  read(userId: number): Promise<string[]> {
    return Promise.resolve([...(this.users.peek(userId) ?? [])].reverse());
  }
}

/** ANNOUNCE_LOG_SIZE=0: nothing is kept. */
export class NoAnnounceLog extends AnnounceLog {
  override readonly enabled = false;
  record(): void {}
  read(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
