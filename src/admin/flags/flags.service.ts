import { Injectable } from '@nestjs/common';
import type { FlagListQuery, FlagPageDto } from 'src/admin/flags/flags.dto';
import { DEFAULT_PAGE } from 'src/admin/common/page.dto';
import { FlagsRepository } from 'src/storage/repositories/flags.repository';

/** GET /api/flags: the cheat signals the flush wrote, in id order. */
@Injectable()
export class FlagsService {
  constructor(private readonly flags: FlagsRepository) {}

  async list(query: FlagListQuery): Promise<FlagPageDto> {
    const after = query.after ?? 0;
    const rows = await this.flags.page({ ...query, after, limit: query.limit ?? DEFAULT_PAGE });
    return {
      items: rows.map((row) => ({
        ...row,
        announcedAt: row.announcedAt.toISOString(),
        recordedAt: row.recordedAt.toISOString(),
      })),
      next: String(rows.length > 0 ? rows[rows.length - 1].id : after),
    };
  }
}
