import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One allowed client, by peer_id prefix (e.g. `-qB45`). An empty whitelist allows every client. */
@Entity({ name: 'client_whitelist' })
export class ClientRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  prefix: string;

  @Column({ type: 'text' })
  name: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
