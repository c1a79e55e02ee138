import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from 'src/storage/repositories/pg-array.util';

/**
 * One item of a bulk upsert. For the nullable site ids, `undefined` is "not given" (kept) and null clears; for the
 * others null is "not given": defaults for a new torrent, unchanged for an existing one.
 */
export interface TorrentUpsert {
  infoHash: string;
  siteId: number | null | undefined;
  uploaderId: number | null | undefined;
  freeleech: boolean | null;
  uploadMultiplier: number | null;
  downloadMultiplier: number | null;
}

export interface TorrentUpsertResult {
  /** New torrents, and deleted ones brought back (with the given settings, defaults for the rest). */
  created: string[];
  updated: string[];
}

const bool = (value: boolean | null) => (value === null ? null : value ? 't' : 'f');
const float = (value: number | null) => (value === null ? null : String(value));

/** Set-based upserts of many torrents in one transaction (see BulkUsersRepository). */
@Injectable()
export class BulkTorrentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Items must have distinct info hashes (lowercase). */
  upsert(items: TorrentUpsert[]): Promise<TorrentUpsertResult> {
    return this.dataSource.transaction(async (manager) => {
      const params = [
        pgArray(items.map((item) => item.infoHash)),
        pgArray(items.map((item) => item.siteId ?? null)),
        pgArray(items.map((item) => (item.siteId === undefined ? 'f' : 't'))),
        pgArray(items.map((item) => item.uploaderId ?? null)),
        pgArray(items.map((item) => (item.uploaderId === undefined ? 'f' : 't'))),
        pgArray(items.map((item) => bool(item.freeleech))),
        pgArray(items.map((item) => float(item.uploadMultiplier))),
        pgArray(items.map((item) => float(item.downloadMultiplier))),
      ];
      const input = `unnest($1::char(40)[], $2::integer[], $3::boolean[], $4::integer[], $5::boolean[],
                            $6::boolean[], $7::float8[], $8::float8[])
                     AS i(info_hash, site_id, site_id_given, uploader_id, uploader_id_given,
                          freeleech, upload_multiplier, download_multiplier)`;
      const created: { info_hash: string }[] = await manager.query(
        `INSERT INTO torrents AS t (info_hash, site_id, uploader_id, freeleech, upload_multiplier, download_multiplier)
         SELECT i.info_hash, i.site_id, i.uploader_id, COALESCE(i.freeleech, false),
                COALESCE(i.upload_multiplier, 1), COALESCE(i.download_multiplier, 1)
         FROM ${input}
         ON CONFLICT (info_hash) DO UPDATE SET
           site_id = EXCLUDED.site_id, uploader_id = EXCLUDED.uploader_id, freeleech = EXCLUDED.freeleech,
           upload_multiplier = EXCLUDED.upload_multiplier, download_multiplier = EXCLUDED.download_multiplier,
           deleted = false, updated_at = now()
         WHERE t.deleted
         RETURNING info_hash`,
        params,
      );
      const createdSet = new Set(created.map((row) => row.info_hash));
      const rest = items.filter((item) => !createdSet.has(item.infoHash));
      if (rest.length === 0) {
        return { created: [...createdSet], updated: [] };
      }
      const restParams = [
        pgArray(rest.map((item) => item.infoHash)),
        pgArray(rest.map((item) => item.siteId ?? null)),
        pgArray(rest.map((item) => (item.siteId === undefined ? 'f' : 't'))),
        pgArray(rest.map((item) => item.uploaderId ?? null)),
        pgArray(rest.map((item) => (item.uploaderId === undefined ? 'f' : 't'))),
        pgArray(rest.map((item) => bool(item.freeleech))),
        pgArray(rest.map((item) => float(item.uploadMultiplier))),
        pgArray(rest.map((item) => float(item.downloadMultiplier))),
      ];
      // Rows already as given are left alone (an idempotent reload writes nothing) but still count as updated.
      await manager.query(
        `UPDATE torrents t SET
           site_id = CASE WHEN i.site_id_given THEN i.site_id ELSE t.site_id END,
           uploader_id = CASE WHEN i.uploader_id_given THEN i.uploader_id ELSE t.uploader_id END,
           freeleech = COALESCE(i.freeleech, t.freeleech),
           upload_multiplier = COALESCE(i.upload_multiplier, t.upload_multiplier),
           download_multiplier = COALESCE(i.download_multiplier, t.download_multiplier),
           updated_at = now()
         FROM ${input}
         WHERE t.info_hash = i.info_hash
           AND (i.site_id_given AND t.site_id IS DISTINCT FROM i.site_id
             OR i.uploader_id_given AND t.uploader_id IS DISTINCT FROM i.uploader_id
             OR i.freeleech <> t.freeleech
             OR i.upload_multiplier <> t.upload_multiplier OR i.download_multiplier <> t.download_multiplier)
         RETURNING t.info_hash`,
        restParams,
      );
      return { created: [...createdSet], updated: rest.map((item) => item.infoHash) };
    });
  }
}
