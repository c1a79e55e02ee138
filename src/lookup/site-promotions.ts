import { Logger } from '@nestjs/common';
import type { PromotionWindows } from 'src/lookup/promotion-windows';

/**
 * The site-wide promotions, a handful at most, held by every instance. An invalidation reloads them while the old
 * set keeps answering (a few milliseconds); a set older than the lookup TTL is reloaded in the background, and after
 * a failed reload (PostgreSQL away) the old set answers and the next try waits a few seconds. One load runs at a
 * time; one that an invalidation overtook reads again, so a stale set is never kept.
 */
const RETRY_AFTER_FAILURE_MS = 5000;

export class SitePromotions {
  private readonly logger = new Logger(SitePromotions.name);
  private windows: PromotionWindows | null = null;
  private loadedAt = 0;
  private generation = 0;
  private loading: Promise<PromotionWindows> | null = null;
  private retryAt = 0;

  constructor(
    private readonly read: () => Promise<PromotionWindows>,
    private readonly ttlMs: number,
  ) {}

  /** The set, or undefined when none is loaded yet (then call get()). */
  cached(): PromotionWindows | undefined {
    const windows = this.windows;
    const now = Date.now();
    if (windows === null || this.ttlMs === 0) {
      return undefined;
    }
    if (now - this.loadedAt >= this.ttlMs && this.loading === null && now >= this.retryAt) {
      this.load().catch((error: Error) => {
        this.retryAt = now + RETRY_AFTER_FAILURE_MS;
        this.logger.warn(`Could not reload the site-wide promotions: ${error.message}`);
      });
    }
    return windows;
  }

  get(): Promise<PromotionWindows> {
    return this.cached() !== undefined ? Promise.resolve(this.windows!) : this.load();
  }

  /** Site promotions changed: resolves once the new set answers. */
  async changed(): Promise<void> {
    this.generation++;
    await this.load();
  }

  private load(): Promise<PromotionWindows> {
    this.loading ??= this.reload().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async reload(): Promise<PromotionWindows> {
    for (;;) {
      const generation = this.generation;
      const windows = await this.read();
      if (generation === this.generation) {
        this.windows = windows;
        this.loadedAt = Date.now();
        return windows;
      }
    }
  }
}
