import { Logger } from '@nestjs/common';

/** Keys reloaded per query. */
const BATCH = 1000;

/**
 * Reloads stale cache entries in the background, many keys per query: a cache entry past its TTL keeps answering
 * while this fetches it again, so an announce never waits for PostgreSQL because an entry grew old (only a real
 * miss does). One load runs at a time; keys asked for meanwhile go into the next one.
 */
export class BatchedRefresh {
  private readonly logger = new Logger(BatchedRefresh.name);
  private readonly pending = new Set<string>();
  private running = false;

  constructor(
    private readonly what: string,
    private readonly load: (keys: string[]) => Promise<unknown>,
  ) {}

  request(key: string): void {
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
        // The stale entries keep answering and are asked for again on their next read.
        this.logger.warn(`Could not refresh ${keys.length} ${this.what}: ${(error as Error).message}`);
        break;
      }
    }
    this.pending.clear();
    this.running = false;
  }
}
