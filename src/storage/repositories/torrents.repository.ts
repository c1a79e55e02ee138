import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TorrentEntity } from 'src/storage/entities/torrent.entity';

export type NewTorrent = Pick<
  TorrentEntity,
  'infoHash' | 'siteId' | 'uploaderId' | 'freeleech' | 'uploadMultiplier' | 'downloadMultiplier'
>;
export type TorrentSnapshotRow = Pick<
  TorrentEntity,
  'infoHash' | 'deleted' | 'freeleech' | 'uploadMultiplier' | 'downloadMultiplier' | 'completed'
>;
export type TorrentChanges = Partial<Omit<NewTorrent, 'infoHash'>>;

@Injectable()
export class TorrentsRepository {
  constructor(@InjectRepository(TorrentEntity) private readonly torrents: Repository<TorrentEntity>) {}

  /** Deleted torrents included: callers decide what a deleted torrent means. */
  findByInfoHash(infoHash: string): Promise<TorrentEntity | null> {
    return this.torrents.findOneBy({ infoHash });
  }

  /**
   * The columns an announce needs, as plain rows: the lookup cache reloads every cached torrent once per
   * LOOKUP_CACHE_TTL_MS, and entity hydration (with the timestamps' parsing) cost ~40 µs of Node a torrent.
   */
  findSnapshotRows(infoHashes: string[]): Promise<TorrentSnapshotRow[]> {
    return this.torrents.query(
      `SELECT info_hash AS "infoHash", deleted, freeleech, upload_multiplier AS "uploadMultiplier",
              download_multiplier AS "downloadMultiplier", completed
       FROM torrents WHERE info_hash = ANY($1)`,
      [infoHashes],
    );
  }

  findManyByInfoHash(infoHashes: string[]): Promise<TorrentEntity[]> {
    return this.torrents.createQueryBuilder('t').where('t.info_hash = ANY(:infoHashes)', { infoHashes }).getMany();
  }

  /**
   * Registers a torrent, or brings back a deleted one with the new settings (its history and snatches stay).
   * Null when a live torrent already has this info hash.
   */
  async insertOrRestore(torrent: NewTorrent): Promise<TorrentEntity | null> {
    const rows: unknown[] = await this.torrents.query(
      `INSERT INTO torrents (info_hash, site_id, uploader_id, freeleech, upload_multiplier, download_multiplier)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (info_hash) DO UPDATE SET
         site_id = EXCLUDED.site_id, uploader_id = EXCLUDED.uploader_id, freeleech = EXCLUDED.freeleech,
         upload_multiplier = EXCLUDED.upload_multiplier, download_multiplier = EXCLUDED.download_multiplier,
         deleted = false, updated_at = now()
       WHERE torrents.deleted
       RETURNING info_hash`,
      [
        torrent.infoHash,
        torrent.siteId,
        torrent.uploaderId,
        torrent.freeleech,
        torrent.uploadMultiplier,
        torrent.downloadMultiplier,
      ],
    );
    return rows.length === 0 ? null : this.findByInfoHash(torrent.infoHash);
  }

  async update(infoHash: string, changes: TorrentChanges): Promise<TorrentEntity | null> {
    if (Object.keys(changes).length > 0) {
      await this.torrents.update({ infoHash, deleted: false }, changes);
    }
    return this.findByInfoHash(infoHash);
  }

  async markDeleted(infoHash: string): Promise<void> {
    await this.torrents.update({ infoHash }, { deleted: true });
  }

  /** A page in info hash order after `after` (exclusive); live torrents only unless `deleted` says otherwise. */
  page(after: string, limit: number, deleted: boolean): Promise<TorrentEntity[]> {
    return this.torrents
      .createQueryBuilder('t')
      .where('t.info_hash > :after AND t.deleted = :deleted', { after, deleted })
      .orderBy('t.info_hash', 'ASC')
      .limit(limit)
      .getMany();
  }

  countLive(): Promise<number> {
    return this.torrents.countBy({ deleted: false });
  }
}
