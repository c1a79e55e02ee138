import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_CHANGES, type ChangesQuery } from 'src/admin/changes/changes.dto';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { ChangeFeedRepository } from 'src/storage/repositories/change-feed.repository';

/** Old sequence numbers are forgotten at most this often per instance, on the way of a read. */
const PRUNE_EVERY_MS = 60_000;

/** GET /api/changes: what flushes changed since a cursor (ChangeFeedRepository), within CHANGE_FEED_RETENTION_HOURS. */
@Injectable()
export class ChangesService {
  private prunedAt = 0;

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly feed: ChangeFeedRepository,
  ) {}

  async read(query: ChangesQuery) {
    await this.pruneNow();
    if (query.after === undefined) {
      return { users: [], history: [], next: String(await this.feed.latest()) };
    }
    const page = await this.feed.page(query.after, query.limit ?? DEFAULT_CHANGES);
    if (page.kind === 'expired') {
      throw new AdminException(
        AdminErrorCode.CursorExpired,
        `Cursor ${query.after} is outside the feed's retention (${page.oldest} to ${page.latest}): resync with the lists`,
        'after',
      );
    }
    return {
      users: page.users.map((user) => ({ ...user, lastActive: user.lastActive?.toISOString() ?? null })),
      history: page.history.map(({ seedTimeMs, ...row }) => ({
        ...row,
        seedTime: Math.floor(seedTimeMs / 1000),
        completedAt: row.completedAt?.toISOString() ?? null,
        firstAnnounce: row.firstAnnounce.toISOString(),
        lastAnnounce: row.lastAnnounce.toISOString(),
      })),
      next: String(page.next),
    };
  }

  private async pruneNow(): Promise<void> {
    const now = Date.now();
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      await this.feed.prune(new Date(now - this.config.changeFeedRetentionMs));
    }
  }
}
