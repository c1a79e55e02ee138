import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** A promotion as the admin API shows it. */
export interface PromotionRow {
  id: number;
  userId: number | null;
  infoHash: string | null;
  uploadFactor: number;
  downloadFactor: number;
  startsAt: Date | null;
  endsAt: Date | null;
  reason: string | null;
  createdAt: Date;
}

export type NewPromotion = Omit<PromotionRow, 'id' | 'createdAt'>;

/** A promotion as the lookup cache holds it: its factors and window in epoch ms (null: open). */
export interface PromotionWindowRow {
  id: number;
  /** The user's passkey (user and token scopes), or the info hash (torrent scope), it was loaded for. */
  key: string;
  infoHash: string | null;
  uploadFactor: number;
  downloadFactor: number;
  startsAt: number | null;
  endsAt: number | null;
}

export interface PromotionFilter {
  userId?: number;
  infoHash?: string;
  /** true: in force at `now`; false: not (yet, or any more). */
  active?: boolean;
  now: Date;
}

const COLUMNS = `id::float8 AS id, user_id AS "userId", info_hash AS "infoHash", upload_factor AS "uploadFactor",
  download_factor AS "downloadFactor", starts_at AS "startsAt", ends_at AS "endsAt", reason, created_at AS "createdAt"`;
const WINDOW = `p.id::float8 AS id, p.upload_factor AS "uploadFactor", p.download_factor AS "downloadFactor",
  (extract(epoch FROM p.starts_at) * 1000)::float8 AS "startsAt", (extract(epoch FROM p.ends_at) * 1000)::float8 AS "endsAt"`;
const ACTIVE = `((starts_at IS NULL OR starts_at <= $1) AND (ends_at IS NULL OR ends_at > $1))`;

/** The promotions table (migrations/1765200000000-promotions.ts). Lookups skip promotions already over. */
@Injectable()
export class PromotionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(promotion: NewPromotion): Promise<PromotionRow> {
    const rows: PromotionRow[] = await this.dataSource.query(
      `INSERT INTO promotions (user_id, info_hash, upload_factor, download_factor, starts_at, ends_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        promotion.userId,
        promotion.infoHash,
        promotion.uploadFactor,
        promotion.downloadFactor,
        promotion.startsAt,
        promotion.endsAt,
        promotion.reason,
      ],
    );
    return rows[0];
  }

  async findById(id: number): Promise<PromotionRow | null> {
    const rows: PromotionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM promotions WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The deleted row, or null when there was none. */
  async delete(id: number): Promise<PromotionRow | null> {
    const rows: [PromotionRow[], number] = await this.dataSource.query(
      `DELETE FROM promotions WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0][0] ?? null;
  }

  /** A page in id order after `after` (exclusive). */
  page(after: number, limit: number, filter: PromotionFilter): Promise<PromotionRow[]> {
    const params: unknown[] = [filter.now, after, limit];
    const where = ['id > $2'];
    if (filter.userId !== undefined) {
      params.push(filter.userId);
      where.push(`user_id = $${params.length}`);
    }
    if (filter.infoHash !== undefined) {
      params.push(filter.infoHash);
      where.push(`info_hash = $${params.length}`);
    }
    if (filter.active !== undefined) {
      where.push(filter.active ? ACTIVE : `NOT ${ACTIVE}`);
    }
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM promotions WHERE $1::timestamptz IS NOT NULL AND ${where.join(' AND ')}
       ORDER BY id LIMIT $3`,
      params,
    );
  }

  /** User and token promotions of these passkeys' users not over at `now`; `key` is the passkey. */
  forPasskeys(passkeys: string[], now: Date): Promise<PromotionWindowRow[]> {
    return this.dataSource.query(
      `SELECT u.passkey AS key, p.info_hash AS "infoHash", ${WINDOW}
       FROM users u JOIN promotions p ON p.user_id = u.id
       WHERE u.passkey = ANY($1) AND (p.ends_at IS NULL OR p.ends_at > $2)
       ORDER BY p.info_hash`,
      [passkeys, now],
    );
  }

  /**
   * The promotion stamp of each passkey's user (users who never had a promotion are left out). Triggers renew a
   * user's stamp on every write of its promotions (migrations/1765500000000-promotion-stamps.ts), so an unchanged
   * stamp means unchanged promotions: the lookup cache's periodic reload checks a user holding thousands of tokens
   * with one index probe, and reads the tokens again only when they changed.
   */
  async stampsForPasskeys(passkeys: string[]): Promise<Map<string, number>> {
    const rows: { passkey: string; stamp: number }[] = await this.dataSource.query(
      `SELECT u.passkey, s.stamp::float8 AS stamp
       FROM users u JOIN promotion_stamps s ON s.user_id = u.id
       WHERE u.passkey = ANY($1)`,
      [passkeys],
    );
    return new Map(rows.map((row) => [row.passkey, row.stamp]));
  }

  /**
   * Torrent-scope promotions (no user) of these info hashes not over at `now`; `key` is the info hash. Through
   * promotions_no_user_idx: a torrent's tokens (many on a popular torrent) are not walked.
   */
  forTorrents(infoHashes: string[], now: Date): Promise<PromotionWindowRow[]> {
    return this.dataSource.query(
      `SELECT p.info_hash AS key, p.info_hash AS "infoHash", ${WINDOW}
       FROM promotions p
       WHERE p.info_hash = ANY($1) AND p.user_id IS NULL AND (p.ends_at IS NULL OR p.ends_at > $2)`,
      [infoHashes, now],
    );
  }

  /** Site-wide promotions not over at `now` (promotions_no_user_idx: the tokens are not scanned). */
  siteWide(now: Date): Promise<PromotionWindowRow[]> {
    return this.dataSource.query(
      `SELECT '' AS key, NULL AS "infoHash", ${WINDOW}
       FROM promotions p
       WHERE p.user_id IS NULL AND p.info_hash IS NULL AND (p.ends_at IS NULL OR p.ends_at > $1)`,
      [now],
    );
  }
}
