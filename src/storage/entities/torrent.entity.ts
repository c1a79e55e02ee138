import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A registered torrent. Deleting only sets `deleted`, so history keeps its rows and announces get a precise failure.
 * The checks are the migration's, by their PostgreSQL names, so that `migration:generate` leaves them alone.
 */
@Check('torrents_info_hash_check', `info_hash ~ '^[0-9a-f]{40}$'`)
@Check('torrents_upload_multiplier_check', 'upload_multiplier >= 0')
@Check('torrents_download_multiplier_check', 'download_multiplier >= 0')
@Entity({ name: 'torrents' })
export class TorrentEntity {
  /** 40 lowercase hex characters. */
  @PrimaryColumn({ name: 'info_hash', type: 'char', length: 40 })
  infoHash: string;

  /** The site's id for this torrent, if it gave one. */
  @Column({ name: 'site_id', type: 'integer', nullable: true })
  siteId: number | null;

  @Column({ name: 'uploader_id', type: 'integer', nullable: true })
  uploaderId: number | null;

  @Column({ type: 'boolean', default: false })
  freeleech: boolean;

  @Column({ name: 'upload_multiplier', type: 'double precision', default: 1 })
  uploadMultiplier: number;

  @Column({ name: 'download_multiplier', type: 'double precision', default: 1 })
  downloadMultiplier: number;

  /** Snatches: distinct users that reported event=completed. */
  @Column({ type: 'integer', default: 0 })
  completed: number;

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
