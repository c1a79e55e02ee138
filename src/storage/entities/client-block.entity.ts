import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One blocked client: a peer_id prefix (e.g. `-qB`), optionally only within a version range (src/clients/). An empty
 * bound is stored as '' (no bound), so that the unique constraint also refuses a second entry without a range.
 */
@Entity({ name: 'client_blocklist' })
@Unique('client_blocklist_rule_key', ['prefix', 'versionFrom', 'versionBelow'])
export class ClientBlockEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 20 })
  prefix: string;

  /** Inclusive lower bound (`4.0`), '' for none. */
  @Column({ name: 'version_from', type: 'varchar', length: 11, default: '' })
  versionFrom: string;

  /** Exclusive upper bound (`4.3`), '' for none. */
  @Column({ name: 'version_below', type: 'varchar', length: 11, default: '' })
  versionBelow: string;

  @Column({ type: 'text' })
  reason: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
