import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { CheatFlag, PendingAccount, PendingBatch } from 'src/peers/peer-store.types';
import { changeBatchInsert } from 'src/storage/repositories/change-seq.util';
import { pgArray } from 'src/storage/repositories/pg-array.util';
import { saturatingSum } from 'src/peers/peer-accounting.util';

const BIGINT_MAX = '9223372036854775807';

export interface AppliedBatch {
  /** False when this batch id was applied before (a redelivery): nothing was written. */
  applied: boolean;
  /** The batch is being written account by account (markSplit): the caller carries on that way. */
  split?: boolean;
  /** Torrents whose snatch count rose, with the new count. */
  snatches: SnatchCount[];
}

export interface SnatchCount {
  infoHash: string;
  completed: number;
}

/** One user's share of a batch, summed in the process so that PostgreSQL updates each user row once. */
interface UserCredit {
  userId: number;
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
  lastActive: number;
  lastIp: string;
}

/**
 * Writes accounting batches into users, history and torrents: one transaction per batch, set-based statements
 * over unnest()ed arrays, and the batch id recorded in the same transaction so a redelivered batch is skipped.
 * Rows of users or torrents that no longer exist are dropped.
 *
 * The arrays are cast to the columns' types so that rows are found through their primary keys: a batch's cost
 * does not grow with the tables (a text array against char(40) once made every batch with a completion sort the
 * whole history table).
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
        const [marker]: { split: boolean }[] = await manager.query(`SELECT split FROM applied_batches WHERE id = $1`, [
          batch.id,
        ]);
        return { applied: false, split: marker?.split === true, snatches: [] };
      }
      if (batch.flags && batch.flags.length > 0) {
        await this.insertFlags(manager, batch.flags);
      }
      const torrents = await this.registeredTorrents(manager, batch.accounts);
      const known = batch.accounts.filter((account) => torrents.has(account.infoHash));
      // Users before history: their rows stay locked to the commit, which keeps a concurrent user deletion from
      // leaving history behind (history has no foreign keys; see the migration CheaperFlushWrites).
      const liveUsers = known.length > 0 ? await this.creditUsers(manager, known) : new Set<number>();
      const accounts = known.filter((account) => liveUsers.has(account.userId));
      if (accounts.length === 0) {
        return { applied: true, snatches: [] };
      }
      const snatches = await this.writeHistory(manager, accounts);
      return { applied: true, snatches };
    });
  }

  /**
   * Records that this batch is written account by account, each under `<batch id>/<position>`: a redelivery of the
   * batch then takes the same path (apply answers `split`) rather than applying the whole again.
   */
  async markSplit(batch: PendingBatch): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO applied_batches (id, accounts, split) VALUES ($1, $2, true) ON CONFLICT (id) DO NOTHING`,
      [batch.id, batch.accounts.length],
    );
  }

  /** Keeps an account PostgreSQL refused, with the reason, out of the way of every later batch. */
  async quarantine(batchId: string, position: number, account: PendingAccount, reason: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO quarantined_accounts (batch_id, position, user_id, info_hash, account, error)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [batchId, position, account.userId, account.infoHash, JSON.stringify(account), reason],
    );
  }

  /** Keeps the dedupe table from growing forever; a batch is never redelivered after days. */
  async forgetAppliedBefore(cutoff: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM applied_batches WHERE applied_at < $1`, [cutoff]);
  }

  /**
   * The batch's cheat flags, in its transaction: applied_batches makes them as exactly-once as the accounts. Kept
   * whether or not the user and torrent still exist: they are evidence. Flags are rare, so one JSON parameter.
   */
  private async insertFlags(manager: EntityManager, flags: CheatFlag[]): Promise<void> {
    await manager.query(
      `INSERT INTO cheat_flags (user_id, info_hash, kind, evidence, announced_at)
       SELECT user_id, info_hash, kind, evidence, ${epochMs('announced_ms')}
       FROM jsonb_to_recordset($1::jsonb) AS f(user_id integer, info_hash char(40), kind text, evidence jsonb,
                                               announced_ms bigint)`,
      [
        JSON.stringify(
          flags.map((flag) => ({
            user_id: flag.userId,
            info_hash: flag.infoHash,
            kind: flag.kind,
            evidence: flag.evidence,
            announced_ms: flag.announcedAt,
          })),
        ),
      ],
    );
  }

  /** The batch's info hashes that are registered (deleted torrents included: they are only flagged). */
  private async registeredTorrents(manager: EntityManager, accounts: PendingAccount[]): Promise<Set<string>> {
    const infoHashes = [...new Set(accounts.map((account) => account.infoHash))];
    const rows: { info_hash: string }[] = await manager.query(
      `SELECT info_hash FROM torrents WHERE info_hash = ANY($1::char(40)[])`,
      [pgArray(infoHashes)],
    );
    return new Set(rows.map((row) => row.info_hash));
  }

  /** Adds each user's totals and latest activity; returns the ids of the users that exist. */
  private async creditUsers(manager: EntityManager, accounts: PendingAccount[]): Promise<Set<number>> {
    const credits = creditsByUser(accounts);
    const column = (pick: (credit: UserCredit) => number | string) => pgArray(credits.map(pick));
    const result: { records: { id: number }[] } = await manager.queryRunner!.query(
      `UPDATE users u SET
         uploaded = ${saturatingAdd('u.uploaded', 's.uploaded')},
         downloaded = ${saturatingAdd('u.downloaded', 's.downloaded')},
         raw_uploaded = ${saturatingAdd('u.raw_uploaded', 's.raw_uploaded')},
         raw_downloaded = ${saturatingAdd('u.raw_downloaded', 's.raw_downloaded')},
         last_ip = CASE WHEN u.last_active IS NULL OR s.last_active >= u.last_active THEN s.last_ip ELSE u.last_ip END,
         last_active = GREATEST(u.last_active, s.last_active)
       FROM (
         -- Times travel as epoch milliseconds: formatting thousands of Dates in the driver costs more than the SQL.
         SELECT user_id, uploaded, downloaded, raw_uploaded, raw_downloaded, last_ip,
                ${epochMs('last_ms')} AS last_active
         FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[])
           AS i(user_id, uploaded, downloaded, raw_uploaded, raw_downloaded, last_ms, last_ip)
       ) s
       WHERE u.id = s.user_id
       RETURNING u.id`,
      [
        column((c) => c.userId),
        column((c) => c.uploaded),
        column((c) => c.downloaded),
        column((c) => c.rawUploaded),
        column((c) => c.rawDownloaded),
        column((c) => c.lastActive),
        column((c) => c.lastIp),
      ],
      true,
    );
    return new Set(result.records.map((row) => row.id));
  }

  /**
   * Upserts the history rows, counts first completions as snatches and records the batch in the change feed;
   * returns the torrents snatched.
   */
  private async writeHistory(manager: EntityManager, accounts: PendingAccount[]): Promise<SnatchCount[]> {
    const column = (pick: (account: PendingAccount) => number | string | null) => pgArray(accounts.map(pick));
    // Structured: for an UPDATE, a plain query() answers [rows, count] rather than the rows.
    const result: { records: { info_hash: string; completed: number }[] } = await manager.queryRunner!.query(
      `WITH input AS (
         SELECT user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded, seed_time_ms,
                ${epochMs('completed_ms')} AS completed_at,
                ${epochMs('first_ms')} AS first_announce,
                ${epochMs('last_ms')} AS last_announce
         FROM unnest($1::integer[], $2::char(40)[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                     $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
           AS i(user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded,
                seed_time_ms, completed_ms, first_ms, last_ms)
       ),
       -- Read before the upsert (same snapshot): a snatch counts only the first time a user completes a torrent.
       new_snatches AS (
         SELECT v.info_hash, count(*) AS n FROM input v
         WHERE v.completed_at IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM history h
           WHERE h.user_id = v.user_id AND h.info_hash = v.info_hash AND h.completed_at IS NOT NULL
         )
         GROUP BY v.info_hash
       ),
       history_upsert AS (
         INSERT INTO history AS h (user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded,
                                   seed_time_ms, completed_at, first_announce, last_announce)
         SELECT user_id, info_hash, uploaded, downloaded, raw_uploaded, raw_downloaded,
                seed_time_ms, completed_at, first_announce, last_announce FROM input
         ON CONFLICT (user_id, info_hash) DO UPDATE SET
           uploaded = ${saturatingAdd('h.uploaded', 'EXCLUDED.uploaded')},
           downloaded = ${saturatingAdd('h.downloaded', 'EXCLUDED.downloaded')},
           raw_uploaded = ${saturatingAdd('h.raw_uploaded', 'EXCLUDED.raw_uploaded')},
           raw_downloaded = ${saturatingAdd('h.raw_downloaded', 'EXCLUDED.raw_downloaded')},
           seed_time_ms = ${saturatingAdd('h.seed_time_ms', 'EXCLUDED.seed_time_ms')},
           completed_at = COALESCE(h.completed_at, EXCLUDED.completed_at),
           first_announce = LEAST(h.first_announce, EXCLUDED.first_announce),
           last_announce = GREATEST(h.last_announce, EXCLUDED.last_announce)
       ),
       change_batch AS (
         ${changeBatchInsert('$1::integer[]', '$2::char(40)[]')}
       )
       UPDATE torrents t SET completed = t.completed + s.n
       FROM new_snatches s WHERE t.info_hash = s.info_hash
       RETURNING t.info_hash, t.completed`,
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
      ],
      true,
    );
    return result.records.map((row) => ({ infoHash: row.info_hash, completed: row.completed }));
  }
}

/** `a + b` for bigint columns and b >= 0, stopping at the column's largest value instead of failing the batch. */
function saturatingAdd(column: string, added: string): string {
  return `CASE WHEN ${column} > ${BIGINT_MAX} - ${added} THEN ${BIGINT_MAX} ELSE ${column} + ${added} END`;
}

/**
 * The timestamptz of a bigint column of epoch milliseconds. Divided as a double, not as numeric (`/ 1000.0`): both
 * give the same double (IEEE division rounds correctly, as numeric's cast to float8 does) and so the same
 * microsecond, but numeric arithmetic cost the history upsert about 0.4 µs a row.
 */
function epochMs(column: string): string {
  return `to_timestamp(${column} / 1000.0::float8)`;
}

/** Sums the batch per user, ordered by id so that concurrent flushes lock users in the same order. */
function creditsByUser(accounts: PendingAccount[]): UserCredit[] {
  const byUser = new Map<number, UserCredit>();
  for (const account of accounts) {
    const credit = byUser.get(account.userId);
    if (!credit) {
      byUser.set(account.userId, {
        userId: account.userId,
        uploaded: account.uploaded,
        downloaded: account.downloaded,
        rawUploaded: account.rawUploaded,
        rawDownloaded: account.rawDownloaded,
        lastActive: account.lastAnnounce,
        lastIp: account.lastIp,
      });
      continue;
    }
    credit.uploaded = saturatingSum(credit.uploaded, account.uploaded);
    credit.downloaded = saturatingSum(credit.downloaded, account.downloaded);
    credit.rawUploaded = saturatingSum(credit.rawUploaded, account.rawUploaded);
    credit.rawDownloaded = saturatingSum(credit.rawDownloaded, account.rawDownloaded);
    if (account.lastAnnounce >= credit.lastActive) {
      credit.lastActive = account.lastAnnounce;
      credit.lastIp = account.lastIp;
    }
  }
  return [...byUser.values()].sort((a, b) => a.userId - b.userId);
}
