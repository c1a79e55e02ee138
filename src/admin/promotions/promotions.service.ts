import { Injectable } from '@nestjs/common';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { DEFAULT_PAGE } from 'src/admin/common/page.dto';
import {
  PromotionScope,
  type CreatePromotionDto,
  type PromotionDto,
  type PromotionListQuery,
} from 'src/admin/promotions/promotion.dto';
import { Clock } from 'src/common/clock';
import { LookupService } from 'src/lookup/lookup.service';
import type { Invalidation } from 'src/lookup/lookup.types';
import { PromotionsRepository, type PromotionRow } from 'src/storage/repositories/promotions.repository';
import { TorrentsRepository } from 'src/storage/repositories/torrents.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';

/**
 * Promotions: created and deleted here, evaluated by PromotionPolicy on every announce. Each write invalidates the
 * one cached snapshot that carries the promotion (the user's, the torrent's, or the site-wide set) on every
 * instance; nothing is written when a promotion starts or ends.
 */
@Injectable()
export class PromotionsService {
  constructor(
    private readonly promotions: PromotionsRepository,
    private readonly users: UsersRepository,
    private readonly torrents: TorrentsRepository,
    private readonly lookup: LookupService,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreatePromotionDto): Promise<PromotionDto> {
    if (dto.uploadFactor === undefined && dto.downloadFactor === undefined) {
      throw new AdminException(
        AdminErrorCode.ValidationFailed,
        'uploadFactor or downloadFactor is required',
        'uploadFactor',
      );
    }
    const startsAt = dto.startsAt === undefined ? null : new Date(dto.startsAt);
    const endsAt = dto.endsAt === undefined ? null : new Date(dto.endsAt);
    if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) {
      throw new AdminException(AdminErrorCode.ValidationFailed, 'endsAt must be after startsAt', 'endsAt');
    }
    const invalidation = await this.invalidationFor(dto.userId ?? null, dto.infoHash ?? null, true);
    const created = await this.promotions.insert({
      userId: dto.userId ?? null,
      infoHash: dto.infoHash ?? null,
      uploadFactor: dto.uploadFactor ?? 1,
      downloadFactor: dto.downloadFactor ?? 1,
      startsAt,
      endsAt,
      reason: dto.reason ?? null,
    });
    if (invalidation) {
      await this.lookup.invalidate(invalidation);
    }
    return this.view(created);
  }

  async get(id: number): Promise<PromotionDto> {
    const promotion = await this.promotions.findById(id);
    if (!promotion) {
      throw notFound(id);
    }
    return this.view(promotion);
  }

  async delete(id: number): Promise<void> {
    const deleted = await this.promotions.delete(id);
    if (!deleted) {
      throw notFound(id);
    }
    const invalidation = await this.invalidationFor(deleted.userId, deleted.infoHash, false);
    if (invalidation) {
      await this.lookup.invalidate(invalidation);
    }
  }

  async list(query: PromotionListQuery) {
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = await this.promotions.page(query.after ?? 0, limit, {
      userId: query.userId,
      infoHash: query.infoHash,
      active: query.active,
      now: new Date(this.clock.now()),
    });
    return {
      items: rows.map((row) => this.view(row)),
      next: rows.length === limit ? String(rows[rows.length - 1].id) : null,
    };
  }

  /**
   * The cached snapshot a promotion of this scope rides in. On create, an unknown (or deleted) user or torrent is
   * a 404; on delete, a user or torrent gone since has no snapshot left to invalidate.
   */
  private async invalidationFor(
    userId: number | null,
    infoHash: string | null,
    requireExisting: boolean,
  ): Promise<Invalidation | null> {
    if (userId !== null) {
      const user = await this.users.findById(userId);
      if (!user && requireExisting) {
        throw new AdminException(AdminErrorCode.UserNotFound, `User ${userId} not found`);
      }
      if (infoHash !== null && requireExisting) {
        await this.requireTorrent(infoHash);
      }
      return user && { kind: 'passkey', passkey: user.passkey };
    }
    if (infoHash !== null) {
      if (requireExisting) {
        await this.requireTorrent(infoHash);
      }
      return { kind: 'torrent', infoHash };
    }
    return { kind: 'promotions' };
  }

  private async requireTorrent(infoHash: string): Promise<void> {
    const torrent = await this.torrents.findByInfoHash(infoHash);
    if (!torrent || torrent.deleted) {
      throw new AdminException(AdminErrorCode.TorrentNotFound, `Torrent ${infoHash} not found`);
    }
  }

  private view(row: PromotionRow): PromotionDto {
    const now = this.clock.now();
    const starts = row.startsAt?.getTime() ?? -Infinity;
    const ends = row.endsAt?.getTime() ?? Infinity;
    return {
      id: row.id,
      scope: scopeOf(row),
      userId: row.userId,
      infoHash: row.infoHash,
      uploadFactor: row.uploadFactor,
      downloadFactor: row.downloadFactor,
      startsAt: row.startsAt?.toISOString() ?? null,
      endsAt: row.endsAt?.toISOString() ?? null,
      reason: row.reason,
      createdAt: row.createdAt.toISOString(),
      active: starts <= now && now < ends,
    };
  }
}

function scopeOf(row: PromotionRow): PromotionScope {
  if (row.userId !== null) {
    return row.infoHash !== null ? PromotionScope.Token : PromotionScope.User;
  }
  return row.infoHash !== null ? PromotionScope.Torrent : PromotionScope.Site;
}

function notFound(id: number): AdminException {
  return new AdminException(AdminErrorCode.PromotionNotFound, `Promotion ${id} not found`);
}
