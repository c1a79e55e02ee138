import { LRUCache } from 'lru-cache';
import { encodeLogEntry, type LoggedOutcome, type LoggedRequest } from 'src/diagnostics/announce-log-entry.util';
import { AnnounceLogRing } from 'src/diagnostics/announce-log-ring';

/** Users whose announces the memory log keeps at once; the least recently announcing are forgotten first. */
export const MEMORY_LOG_USERS = 10_000;

/**
 * Each user's last announces, for the staff's diagnostics: written on the announce path without waiting, read by
 * the admin API as encoded entries (announce-log-entry.util.ts).
 */
export abstract class AnnounceLog {
  /** False when nothing is kept (ANNOUNCE_LOG_SIZE=0): the announce path then builds no entry. */
  readonly enabled: boolean = true;
  /** Keeps an entry; never waits, never throws. `request` is null when it could not be read. */
  abstract record(userId: number, time: number, request: LoggedRequest | null, outcome: LoggedOutcome): void;
  /** The user's kept entries, encoded, latest first. */
  abstract read(userId: number): Promise<string[]>;
}

/**
 * Per instance (memory peer store): a ring per user, for the MEMORY_LOG_USERS most recent users. An entry is copied
 * into the user's preallocated ring and encoded only when read, so that recording one allocates nothing that
 * outlives the announce. Entries older than the TTL are left out when read.
 */
export class MemoryAnnounceLog extends AnnounceLog {
  private readonly users = new LRUCache<number, AnnounceLogRing>({ max: MEMORY_LOG_USERS });

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
  ) {
    super();
  }

  record(userId: number, time: number, request: LoggedRequest | null, outcome: LoggedOutcome): void {
    let ring = this.users.get(userId);
    if (ring === undefined) {
      ring = new AnnounceLogRing(this.size);
      this.users.set(userId, ring);
    }
    ring.write(time, request, outcome);
  }

  read(userId: number): Promise<string[]> {
    const ring = this.users.peek(userId);
    const oldest = Date.now() - this.ttlMs;
    const entries = ring === undefined ? [] : ring.latestFirst().filter((entry) => entry.time >= oldest);
    return Promise.resolve(entries.map(({ time, request, outcome }) => encodeLogEntry(time, request, outcome)));
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
