import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { PendingBatch } from 'src/peers/peer-store.types';

export interface AppliedBatch {
  /** False when this batch id was applied before (a redelivery): nothing was written. */
  applied: boolean;
  /** Torrents whose snatch count rose. */
  snatchedTorrents: string[];
}

/**
 * Writes accounting batches into users, history and torrents: one transaction per batch, set-based statements
 * over unnest()ed arrays, and the batch id recorded in the same transaction so a redelivered batch is skipped.
 * Rows of users or torrents that no longer exist are dropped.
 */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  apply(batch: PendingBatch): Promise<AppliedBatch> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO applied_batches (id, accounts) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [batch.id, batch.accounts.length],
      );
      if (inserted.length === 0) {
        return { applied: false, snatchedTorrents: [] };
      }
      const snatched = await this.applyAccounts(manager, batch);
      return { applied: true, snatchedTorrents: snatched };
    });
  }

  /** Keeps the dedupe table from growing forever; a batch is never redelivered after days. */
  async forgetAppliedBefore(cutoff: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM applied_batches WHERE applied_at < $1`, [cutoff]);
  }

  private async applyAccounts(manager: EntityManager, { accounts }: PendingBatch): Promise<string[]> {
    const column = <T>(pick: (account: PendingBatch['accounts'][number]) => T) => accounts.map(pick);
    // Structured: for an UPDATE, a plain query() answers [rows, count] rather than the rows.
    const result: { records: { info_hash: string }[] } = await manager.queryRunner!.query(
      `WITH input AS (
         -- Times travel as epoch milliseconds: formatting thousands of Dates in the driver costs more than the SQL.
         SELECT user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded, seed_time_ms, last_ip,
                to_timestamp(completed_ms / 1000.0) AS completed_at,
                to_timestamp(first_ms / 1000.0) AS first_announce,
                to_timestamp(last_ms / 1000.0) AS last_announce
         FROM unnest($1::integer[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                     $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[])
           AS i(user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded,
                seed_time_ms, completed_ms, first_ms, last_ms, last_ip)
       ),
       valid AS (
         SELECT i.* FROM input i
         JOIN users u ON u.id = i.user_id
         JOIN torrents t ON t.info_hash = i.info_hash
       ),
       -- Read before the upsert (same snapshot): a snatch counts only the first time a user completes a torrent.
       new_snatches AS (
         SELECT v.info_hash, count(*) AS n FROM valid v
         LEFT JOIN history h ON h.user_id = v.user_id AND h.info_hash = v.info_hash
         WHERE v.completed_at IS NOT NULL AND h.completed_at IS NULL
         GROUP BY v.info_hash
       ),
       history_upsert AS (
         INSERT INTO history AS h (user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded,
                                   seed_time_ms, completed_at, first_announce, last_announce)
         SELECT user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded,
                seed_time_ms, completed_at, first_announce, last_announce FROM valid
         ON CONFLICT (user_id, info_hash) DO UPDATE SET
           uploaded = h.uploaded + EXCLUDED.uploaded,
           downloaded = h.downloaded + EXCLUDED.downloaded,
           raw_uploaded = h.raw_uploaded + EXCLUDED.raw_uploaded,
           raw_downloaded = h.raw_downloaded + EXCLUDED.raw_downloaded,
           seed_time_ms = h.seed_time_ms + EXCLUDED.seed_time_ms,
           completed_at = COALESCE(h.completed_at, EXCLUDED.completed_at),
           first_announce = LEAST(h.first_announce, EXCLUDED.first_announce),
           last_announce = GREATEST(h.last_announce, EXCLUDED.last_announce)
       ),
       user_totals AS (
         UPDATE users u SET
           uploaded = u.uploaded + s.uploaded,
           downloaded = u.downloaded + s.downloaded,
           raw_uploaded = u.raw_uploaded + s.raw_uploaded,
           raw_downloaded = u.raw_downloaded + s.raw_downloaded,
           last_ip = CASE WHEN u.last_active IS NULL OR s.last_active >= u.last_active THEN s.last_ip ELSE u.last_ip END,
           last_active = GREATEST(u.last_active, s.last_active)
         FROM (
           SELECT user_id, sum(uploaded) AS uploaded, sum(downloaded) AS downloaded,
                  sum(raw_uploaded) AS raw_uploaded, sum(raw_downloaded) AS raw_downloaded,
                  max(last_announce) AS last_active,
                  (array_agg(last_ip ORDER BY last_announce DESC))[1] AS last_ip
           FROM valid GROUP BY user_id
         ) s
         WHERE u.id = s.user_id
       )
       UPDATE torrents t SET completed = t.completed + s.n
       FROM new_snatches s WHERE t.info_hash = s.info_hash
       RETURNING t.info_hash`,
      [
        column((a) => a.userId),
        column((a) => a.infoHash),
        column((a) => a.uploaded),
        column((a) => a.downloaded),
        column((a) => a.rawUploaded),
        column((a) => a.rawDownloaded),
        column((a) => a.seedTime),
        column((a) => a.completedAt),
        column((a) => a.firstAnnounce),
        column((a) => a.lastAnnounce),
        column((a) => a.lastIp),
      ],
      true,
    );
    return result.records.map((row) => row.info_hash);
  }
}
