import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { HistoryEntity } from 'src/storage/entities/history.entity';

export interface HistoryPageFilter {
  /** Only snatched (true) or not snatched (false) rows. */
  completed?: boolean;
  /** Only these info hashes. */
  only?: string[];
  /** None of these info hashes. */
  except?: string[];
}

export interface Snatch {
  userId: number;
  completedAt: Date;
  uploaded: number;
  downloaded: number;
  seedTimeMs: number;
}

@Injectable()
export class HistoryRepository {
  constructor(@InjectRepository(HistoryEntity) private readonly history: Repository<HistoryEntity>) {}

  /** Most recently active first. */
  listForUser(userId: number): Promise<HistoryEntity[]> {
    return this.history.find({ where: { userId }, order: { lastAnnounce: 'DESC' } });
  }

  /** A page of the user's history in info hash order, after `after` (exclusive). */
  pageForUser(userId: number, after: string, limit: number, filter: HistoryPageFilter): Promise<HistoryEntity[]> {
    const query = this.history
      .createQueryBuilder('h')
      .where('h.user_id = :userId AND h.info_hash > :after', { userId, after })
      .orderBy('h.info_hash', 'ASC')
      .limit(limit);
    if (filter.completed !== undefined) {
      query.andWhere(filter.completed ? 'h.completed_at IS NOT NULL' : 'h.completed_at IS NULL');
    }
    if (filter.only) {
      query.andWhere('h.info_hash = ANY(CAST(:only AS char(40)[]))', { only: filter.only });
    }
    if (filter.except && filter.except.length > 0) {
      query.andWhere('NOT (h.info_hash = ANY(CAST(:except AS char(40)[])))', { except: filter.except });
    }
    return query.getMany();
  }

  /** Who completed the torrent, in user id order after `after` (history_snatches_idx). */
  async snatches(infoHash: string, after: number, limit: number): Promise<Snatch[]> {
    const rows: { user_id: number; completed_at: Date; uploaded: string; downloaded: string; seed_time_ms: string }[] =
      await this.history.query(
        `SELECT user_id, completed_at, uploaded, downloaded, seed_time_ms FROM history
         WHERE info_hash = $1 AND user_id > $2 AND completed_at IS NOT NULL
         ORDER BY user_id LIMIT $3`,
        [infoHash, after, limit],
      );
    return rows.map((row) => ({
      userId: row.user_id,
      completedAt: row.completed_at,
      uploaded: Number(row.uploaded),
      downloaded: Number(row.downloaded),
      seedTimeMs: Number(row.seed_time_ms),
    }));
  }
}
