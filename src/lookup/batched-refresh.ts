import { Logger } from '@nestjs/common';

/** Keys reloaded per query. */
const BATCH = 1000;
/** After a failed load (PostgreSQL away), stale entries keep answering and no reload is tried for this long. */
const PAUSE_AFTER_FAILURE_MS = 5000;

/**
 * Reloads stale cache entries in the background, many keys per query: a cache entry past its TTL keeps answering
 * while this fetches it again, so an announce never waits for PostgreSQL because an entry grew old (only a real
 * miss does). One load runs at a time; keys asked for meanwhile go into the next one. A failure pauses reloads, so
 * that an outage costs one warning and one attempt every few seconds, not one per announce.
 */
export class BatchedRefresh {
  private readonly logger = new Logger(BatchedRefresh.name);
  private readonly pending = new Set<string>();
  private running = false;
  private pausedUntil = 0;

  constructor(
    private readonly what: string,
    private readonly load: (keys: string[]) => Promise<unknown>,
    private readonly now: () => number = Date.now,
  ) {}

  request(key: string): void {
    if (this.pausedUntil > this.now()) {
      return;
    }
    this.pending.add(key);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const keys: string[] = [];
      for (const key of this.pending) {
        keys.push(key);
        this.pending.delete(key);
        if (keys.length === BATCH) {
          break;
        }
      }
      try {
        await this.load(keys);
      } catch (error) {
        // The stale entries keep answering and are asked for again on their next read after the pause.
        this.pausedUntil = this.now() + PAUSE_AFTER_FAILURE_MS;
        this.logger.warn(
          `Could not refresh ${keys.length} ${this.what}, retrying in ${PAUSE_AFTER_FAILURE_MS / 1000} s: ` +
            (error as Error).message,
        );
        break;
      }
    }
    this.pending.clear();
    this.running = false;
  }
}
