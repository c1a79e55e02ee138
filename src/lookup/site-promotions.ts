import { Logger } from '@nestjs/common';
import type { PromotionWindows } from 'src/lookup/promotion-windows';

/**
 * The site-wide promotions, a handful at most, held by every instance. An invalidation reloads them while the old
 * set keeps answering (a few milliseconds); a set older than the lookup TTL is reloaded in the background. One load
 * runs at a time; one that an invalidation overtook reads again, so a stale set is never kept.
 */
export class SitePromotions {
  private readonly logger = new Logger(SitePromotions.name);
  private windows: PromotionWindows | null = null;
  private loadedAt = 0;
  private generation = 0;
  private loading: Promise<PromotionWindows> | null = null;

  constructor(
    private readonly read: () => Promise<PromotionWindows>,
    private readonly ttlMs: number,
  ) {}

  /** The set, or undefined when none is loaded yet (then call get()). */
  cached(now: number): PromotionWindows | undefined {
    const windows = this.windows;
    if (windows === null || this.ttlMs === 0) {
      return undefined;
    }
    if (now - this.loadedAt >= this.ttlMs && this.loading === null) {
      this.load().catch((error: Error) => this.logger.warn(`Could not reload site promotions: ${error.message}`));
    }
    return windows;
  }

  get(): Promise<PromotionWindows> {
    return this.cached(Date.now()) !== undefined ? Promise.resolve(this.windows!) : this.load();
  }

  /** Site promotions changed: resolves once the new set answers. */
  async changed(): Promise<void> {
    this.generation++;
    await this.load();
  }

  /** Messages may have been missed: the next announce waits for a fresh set. */
  forget(): void {
    this.generation++;
    this.windows = null;
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
