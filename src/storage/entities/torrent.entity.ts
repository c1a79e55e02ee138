import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A registered torrent. Deleting only sets `deleted`, so history keeps its rows and announces get a precise failure. */
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
