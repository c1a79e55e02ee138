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
 * Reads the change feed: the users and history rows written by the flushed batches numbered above a cursor (each
 * batch's row in change_batches names the keys it wrote: change-seq.util, which also explains the lock that keeps
 * cursors from skipping a batch).
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

  /** Rows changed after `after`, about `limit` history rows (a flush is never split, so one may give more). */
  async page(after: number, limit: number): Promise<ChangePage> {
    const latest = await this.latest();
    const oldest = await this.prunedThrough();
    if (after < oldest || after > latest) {
      return { kind: 'expired', oldest, latest };
    }
    if (after === latest) {
      return { kind: 'page', users: [], history: [], next: latest };
    }
    const upTo = await this.pageEnd(after, latest, limit);
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

  /**
   * The last batch of the page after `after`: whole batches up to about `limit` keys, at least one batch. A key
   * written by several batches of a page is answered once, with its current values.
   */
  private async pageEnd(after: number, latest: number, limit: number): Promise<number> {
    const rows: { seq: string; first: string }[] = await this.dataSource.query(
      `SELECT seq, first FROM (
         SELECT seq, sum(entries) OVER (ORDER BY seq) AS total, min(seq) OVER () AS first
         FROM change_batches WHERE seq > $1 AND seq <= $2
       ) batches
       WHERE total > $3 ORDER BY seq LIMIT 1`,
      [after, latest, limit],
    );
    if (rows.length === 0) {
      return latest;
    }
    const beyond = Number(rows[0].seq);
    // The first batch after the cursor alone holds more than `limit` keys: answer it whole.
    return beyond === Number(rows[0].first) ? beyond : beyond - 1;
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
       WHERE id IN (SELECT unnest(user_ids) FROM change_batches WHERE seq > $1 AND seq <= $2) ORDER BY id`,
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
      // Each batch's packed info hashes are read whole once (the CTE), not fetched in 20-byte slices per key.
      `WITH batches AS MATERIALIZED (
         SELECT user_ids, packed_info_hashes || ''::bytea AS info_hashes
         FROM change_batches WHERE seq > $1 AND seq <= $2)
       SELECT h.user_id, h.info_hash, h.uploaded, h.downloaded, h.raw_uploaded, h.raw_downloaded, h.seed_time_ms,
              h.completed_at, h.first_announce, h.last_announce
       FROM (SELECT DISTINCT k.user_id,
                    encode(substring(b.info_hashes FROM k.position::integer * 20 - 19 FOR 20), 'hex')::char(40)
                      AS info_hash
             FROM batches b, unnest(b.user_ids) WITH ORDINALITY AS k(user_id, position)) changed
       JOIN history h ON h.user_id = changed.user_id AND h.info_hash = changed.info_hash
       ORDER BY h.user_id, h.info_hash`,
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
