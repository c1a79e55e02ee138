import { Injectable } from '@nestjs/common';
import { AdminErrorCode } from 'src/admin/common/admin.exception';
import { type BulkFailure, readTorrentItem } from 'src/admin/common/bulk-item.util';
import type { BulkResult } from 'src/admin/users/users-bulk.service';
import { LookupService } from 'src/lookup/lookup.service';
import { BulkTorrentsRepository, type TorrentUpsert } from 'src/storage/repositories/bulk-torrents.repository';

/** Info hashes per invalidation message. */
const INVALIDATION_CHUNK = 1000;

/** PUT /api/torrents: up to 10,000 torrents registered or updated in one transaction; a bad item fails alone. */
@Injectable()
export class TorrentsBulkService {
  constructor(
    private readonly bulk: BulkTorrentsRepository,
    private readonly lookup: LookupService,
  ) {}

  async upsert(raw: unknown[]): Promise<BulkResult> {
    const failed: BulkFailure[] = [];
    const items: TorrentUpsert[] = [];
    const seen = new Set<string>();
    raw.forEach((value, index) => {
      const item = readTorrentItem(value);
      if (typeof item === 'string') {
        failed.push({ index, code: AdminErrorCode.ValidationFailed, message: item });
      } else if (seen.has(item.infoHash)) {
        failed.push({
          index,
          code: AdminErrorCode.TorrentExists,
          message: `${item.infoHash} appears twice in this request`,
        });
      } else {
        seen.add(item.infoHash);
        items.push(item);
      }
    });
    if (items.length === 0) {
      return { created: 0, updated: 0, failed };
    }
    const result = await this.bulk.upsert(items);
    const written = [...result.created, ...result.updated];
    for (let i = 0; i < written.length; i += INVALIDATION_CHUNK) {
      await this.lookup.invalidate({ kind: 'torrents', infoHashes: written.slice(i, i + INVALIDATION_CHUNK) });
    }
    return { created: result.created.length, updated: result.updated.length, failed };
  }
}
