import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { HistoryEntity } from 'src/storage/entities/history.entity';

@Injectable()
export class HistoryRepository {
  constructor(@InjectRepository(HistoryEntity) private readonly history: Repository<HistoryEntity>) {}

  /** Most recently active first. */
  listForUser(userId: number): Promise<HistoryEntity[]> {
    return this.history.find({ where: { userId }, order: { lastAnnounce: 'DESC' } });
  }
}
