import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CHANGE_FEED_LOCK } from 'src/storage/repositories/change-seq.util';

export interface ChangedUser {
  id: number;
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
  lastIp: string | null;
  lastActive: Date | null;
}

export interface ChangedHistory {
  userId: number;
  infoHash: string;
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
  seedTimeMs: number;
  completedAt: Date | null;
  firstAnnounce: Date;
  lastAnnounce: Date;
}

export type ChangePage =
  | { kind: 'page'; users: ChangedUser[]; history: ChangedHistory[]; next: number }
  | { kind: 'expired'; oldest: number; latest: number };

/**
 * Reads the change feed: the users and history rows a flush stamped with a sequence number above a cursor
 * (LedgerRepository stamps them; change-seq.util explains the lock that keeps cursors from skipping a row).
 * Pages end on whole flushes, so a cursor is always one sequence number: stable across instances and restarts.
 */
@Injectable()
export class ChangeFeedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The highest sequence number below which every flush has committed. */
  latest(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // Waits for flushes in flight (they hold the lock shared); flushes starting after take higher numbers.
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [CHANGE_FEED_LOCK]);
      const rows: { last_value: string; is_called: boolean }[] = await manager.query(
        `SELECT last_value, is_called FROM change_seq`,
      );
      return rows[0].is_called ? Number(rows[0].last_value) : 0;
    });
  }

  /** Rows changed after `after`, about `limit` of each kind (a flush is never split, so one may give more). */
  async page(after: number, limit: number): Promise<ChangePage> {
    const latest = await this.latest();
    const oldest = await this.prunedThrough();
    if (after < oldest || after > latest) {
      return { kind: 'expired', oldest, latest };
    }
    if (after === latest) {
      return { kind: 'page', users: [], history: [], next: latest };
    }
    let upTo = latest;
    for (const table of ['users', 'history']) {
      const beyond: { change_seq: string }[] = await this.dataSource.query(
        `SELECT change_seq FROM ${table} WHERE change_seq > $1 AND change_seq <= $2
         ORDER BY change_seq OFFSET $3 LIMIT 1`,
        [after, latest, limit],
      );
      if (beyond.length > 0) {
        upTo = Math.min(upTo, Number(beyond[0].change_seq) - 1);
      }
    }
    if (upTo <= after) {
      // The first flush after the cursor alone holds more than `limit` rows: answer it whole.
      const first: { seq: string }[] = await this.dataSource.query(
        `SELECT least((SELECT min(change_seq) FROM users WHERE change_seq > $1),
                      (SELECT min(change_seq) FROM history WHERE change_seq > $1)) AS seq`,
        [after],
      );
      upTo = Number(first[0].seq);
    }
    const [users, history] = await Promise.all([this.users(after, upTo), this.history(after, upTo)]);
    return { kind: 'page', users, history, next: upTo };
  }

  /** Forgets sequence numbers taken before `cutoff`; cursors below the newest forgotten one answer 410. */
  async prune(cutoff: Date): Promise<void> {
    await this.dataSource.query(
      `WITH gone AS (DELETE FROM change_batches WHERE taken_at < $1 RETURNING seq)
       UPDATE change_feed_horizon SET pruned_through = GREATEST(pruned_through, (SELECT max(seq) FROM gone))
       WHERE EXISTS (SELECT 1 FROM gone)`,
      [cutoff],
    );
  }

  private async prunedThrough(): Promise<number> {
    const rows: { pruned_through: string }[] = await this.dataSource.query(
      `SELECT pruned_through FROM change_feed_horizon`,
    );
    return Number(rows[0]?.pruned_through ?? 0);
  }

  private async users(after: number, upTo: number): Promise<ChangedUser[]> {
    const rows: Record<string, string | Date | null>[] = await this.dataSource.query(
      `SELECT id, uploaded, downloaded, raw_uploaded, raw_downloaded, last_ip, last_active FROM users
       WHERE change_seq > $1 AND change_seq <= $2 ORDER BY change_seq, id`,
      [after, upTo],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      uploaded: Number(row.uploaded),
      downloaded: Number(row.downloaded),
      rawUploaded: Number(row.raw_uploaded),
      rawDownloaded: Number(row.raw_downloaded),
      lastIp: row.last_ip as string | null,
      lastActive: row.last_active as Date | null,
    }));
  }

  private async history(after: number, upTo: number): Promise<ChangedHistory[]> {
    const rows: Record<string, string | Date | null>[] = await this.dataSource.query(
      `SELECT user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded, seed_time_ms,
              completed_at, first_announce, last_announce FROM history
       WHERE change_seq > $1 AND change_seq <= $2 ORDER BY change_seq, user_id, info_hash`,
      [after, upTo],
    );
    return rows.map((row) => ({
      userId: Number(row.user_id),
      infoHash: row.info_hash as string,
      uploaded: Number(row.uploaded),
      downloaded: Number(row.downloaded),
      rawUploaded: Number(row.raw_uploaded),
      rawDownloaded: Number(row.raw_downloaded),
      seedTimeMs: Number(row.seed_time_ms),
      completedAt: row.completed_at as Date | null,
      firstAnnounce: row.first_announce as Date,
      lastAnnounce: row.last_announce as Date,
    }));
  }
}
