import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface CheatFlagRow {
  id: number;
  userId: number;
  infoHash: string;
  kind: string;
  evidence: Record<string, unknown>;
  announcedAt: Date;
  recordedAt: Date;
}

export interface FlagFilter {
  after: number;
  limit: number;
  userId?: number;
  kind?: string;
}

/** Reads the cheat_flags table (the accounting flush writes it) in id order: the site's cursor is the id. */
@Injectable()
export class FlagsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Flags above `after`, lowest id first; a user filter walks cheat_flags_user_id_idx. */
  async page({ after, limit, userId, kind }: FlagFilter): Promise<CheatFlagRow[]> {
    const rows: {
      id: string;
      user_id: number;
      info_hash: string;
      kind: string;
      evidence: Record<string, unknown>;
      announced_at: Date;
      recorded_at: Date;
    }[] = await this.dataSource.query(
      `SELECT id, user_id, info_hash, kind, evidence, announced_at, recorded_at FROM cheat_flags
       WHERE id > $1 AND ($2::integer IS NULL OR user_id = $2) AND ($3::text IS NULL OR kind = $3)
       ORDER BY id LIMIT $4`,
      [after, userId ?? null, kind ?? null, limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      userId: row.user_id,
      infoHash: row.info_hash,
      kind: row.kind,
      evidence: row.evidence,
      announcedAt: row.announced_at,
      recordedAt: row.recorded_at,
    }));
  }
}
