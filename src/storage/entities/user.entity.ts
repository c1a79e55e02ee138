import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from 'src/storage/entities/bigint.transformer';

/**
 * A member of the site. `id` is the site's own id; the site owns the account, the tracker its counters.
 * The checks are the migration's, by their PostgreSQL names, so that `migration:generate` leaves them alone.
 */
@Check('users_id_check', 'id > 0')
@Check('users_upload_multiplier_check', 'upload_multiplier >= 0')
@Check('users_download_multiplier_check', 'download_multiplier >= 0')
@Check('users_download_slots_check', 'download_slots >= 0')
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'char', length: 32, unique: true })
  passkey: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'can_leech', type: 'boolean', default: true })
  canLeech: boolean;

  @Column({ name: 'upload_multiplier', type: 'double precision', default: 1 })
  uploadMultiplier: number;

  @Column({ name: 'download_multiplier', type: 'double precision', default: 1 })
  downloadMultiplier: number;

  /** The most torrents the user may leech at once; null: no limit. */
  @Column({ name: 'download_slots', type: 'integer', nullable: true })
  downloadSlots: number | null;

  /** Credited bytes (multipliers applied). */
  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  uploaded: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  downloaded: number;

  /** Bytes as the clients reported them. */
  @Column({ name: 'raw_uploaded', type: 'bigint', default: 0, transformer: bigintToNumber })
  rawUploaded: number;

  @Column({ name: 'raw_downloaded', type: 'bigint', default: 0, transformer: bigintToNumber })
  rawDownloaded: number;

  @Column({ name: 'last_ip', type: 'text', nullable: true })
  lastIp: string | null;

  @Column({ name: 'last_active', type: 'timestamptz', nullable: true })
  lastActive: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
