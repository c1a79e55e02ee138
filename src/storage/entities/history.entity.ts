import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from 'src/storage/entities/bigint.transformer';

/** What one user did on one torrent, summed over all their clients. */
@Index('history_snatches_idx', ['infoHash', 'userId'])
@Entity({ name: 'history' })
export class HistoryEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @PrimaryColumn({ name: 'info_hash', type: 'char', length: 40 })
  infoHash: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  uploaded: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  downloaded: number;

  @Column({ name: 'raw_uploaded', type: 'bigint', default: 0, transformer: bigintToNumber })
  rawUploaded: number;

  @Column({ name: 'raw_downloaded', type: 'bigint', default: 0, transformer: bigintToNumber })
  rawDownloaded: number;

  /** Milliseconds spent seeding. */
  @Column({ name: 'seed_time_ms', type: 'bigint', default: 0, transformer: bigintToNumber })
  seedTimeMs: number;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'first_announce', type: 'timestamptz' })
  firstAnnounce: Date;

  @Column({ name: 'last_announce', type: 'timestamptz' })
  lastAnnounce: Date;
}
