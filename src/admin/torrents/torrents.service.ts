import { Injectable } from '@nestjs/common';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { DEFAULT_PAGE } from 'src/admin/common/page.dto';
import { clientOf } from 'src/admin/torrents/client-name.util';
import type { SnatchQuery, TorrentListQuery } from 'src/admin/torrents/torrent-views.dto';
import type { CreateTorrentDto, UpdateTorrentDto } from 'src/admin/torrents/torrent.dto';
import { LookupService } from 'src/lookup/lookup.service';
import { PeerStore } from 'src/peers/peer-store';
import type { TorrentEntity } from 'src/storage/entities/torrent.entity';
import { HistoryRepository } from 'src/storage/repositories/history.repository';
import { TorrentsRepository, type TorrentChanges } from 'src/storage/repositories/torrents.repository';
import { endpointViews } from 'src/admin/common/peer-endpoint.dto';

@Injectable()
export class TorrentsService {
  constructor(
    private readonly torrents: TorrentsRepository,
    private readonly history: HistoryRepository,
    private readonly peers: PeerStore,
    private readonly lookup: LookupService,
  ) {}

  async create(dto: CreateTorrentDto) {
    const created = await this.torrents.insertOrRestore({
      infoHash: dto.infoHash,
      siteId: dto.id ?? null,
      uploaderId: dto.uploaderId ?? null,
      freeleech: dto.freeleech ?? false,
      uploadMultiplier: dto.uploadMultiplier ?? 1,
      downloadMultiplier: dto.downloadMultiplier ?? 1,
    });
    if (!created) {
      throw new AdminException(AdminErrorCode.TorrentExists, `Torrent ${dto.infoHash} already exists`);
    }
    await this.lookup.invalidate({ kind: 'torrent', infoHash: dto.infoHash });
    return this.view(created);
  }

  async get(infoHash: string) {
    return this.view(await this.require(infoHash));
  }

  async update(infoHash: string, dto: UpdateTorrentDto) {
    await this.require(infoHash);
    const { id, ...rest } = dto;
    const changes: TorrentChanges = id === undefined ? rest : { ...rest, siteId: id };
    const updated = await this.torrents.update(infoHash, changes);
    await this.lookup.invalidate({ kind: 'torrent', infoHash });
    return this.view(updated!);
  }

  async delete(infoHash: string): Promise<void> {
    await this.require(infoHash);
    await this.torrents.markDeleted(infoHash);
    await this.lookup.invalidate({ kind: 'torrent', infoHash });
    await this.peers.removeTorrent(infoHash);
  }

  async list(query: TorrentListQuery) {
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = await this.torrents.page(query.after ?? '', limit, query.deleted ?? false);
    return {
      items: rows.map((torrent) => ({ ...summaryOf(torrent), deleted: torrent.deleted })),
      next: rows.length === limit ? rows[rows.length - 1].infoHash : null,
    };
  }

  async snatches(infoHash: string, query: SnatchQuery) {
    await this.require(infoHash);
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = await this.history.snatches(infoHash, query.after ?? 0, limit);
    return {
      items: rows.map((row) => ({
        userId: row.userId,
        completedAt: row.completedAt.toISOString(),
        uploaded: row.uploaded,
        downloaded: row.downloaded,
        seedTime: Math.floor(row.seedTimeMs / 1000),
      })),
      next: rows.length === limit ? String(rows[rows.length - 1].userId) : null,
    };
  }

  /** Seeders, leechers and snatches of many torrents: one query, one round trip to the peer store. */
  async counts(infoHashes: string[]) {
    const unique = [...new Set(infoHashes)];
    const [registered, swarms] = await Promise.all([
      this.torrents.findManyByInfoHash(unique),
      this.peers.swarmCounts(unique),
    ]);
    const live = new Map(registered.filter((t) => !t.deleted).map((t) => [t.infoHash, t]));
    return {
      items: unique.flatMap((infoHash) => {
        const torrent = live.get(infoHash);
        const swarm = swarms.get(infoHash);
        return torrent
          ? [
              {
                infoHash,
                seeders: swarm?.complete ?? 0,
                leechers: swarm?.incomplete ?? 0,
                completed: torrent.completed,
              },
            ]
          : [];
      }),
      unknown: unique.filter((infoHash) => !live.has(infoHash)),
    };
  }

  async peersOf(infoHash: string) {
    await this.require(infoHash);
    const peers = await this.peers.swarmPeers(infoHash, Date.now());
    return peers.map((peer) => ({
      userId: peer.userId,
      peerId: peer.peerId.toString('hex'),
      ip: peer.ip,
      port: peer.port,
      endpoints: endpointViews(peer.endpoints),
      seeder: peer.seeder,
      uploaded: peer.uploaded,
      downloaded: peer.downloaded,
      left: peer.left,
      client: clientOf(peer.peerId),
      lastAnnounce: new Date(peer.lastAnnounce).toISOString(),
    }));
  }

  /** Deleted torrents are gone as far as the admin API is concerned. */
  private async require(infoHash: string): Promise<TorrentEntity> {
    const torrent = await this.torrents.findByInfoHash(infoHash);
    if (!torrent || torrent.deleted) {
      throw new AdminException(AdminErrorCode.TorrentNotFound, `Torrent ${infoHash} not found`);
    }
    return torrent;
  }

  private async view(torrent: TorrentEntity) {
    const now = Date.now();
    const [counts, users] = await Promise.all([
      this.peers.scrape([torrent.infoHash]),
      this.peers.swarmUsers(torrent.infoHash, now),
    ]);
    const swarm = counts.get(torrent.infoHash) ?? { complete: 0, incomplete: 0 };
    return {
      ...summaryOf(torrent),
      seeders: { count: swarm.complete, users: users.seeders },
      leechers: { count: swarm.incomplete, users: users.leechers },
    };
  }
}

function summaryOf(torrent: TorrentEntity) {
  return {
    infoHash: torrent.infoHash,
    id: torrent.siteId,
    uploaderId: torrent.uploaderId,
    freeleech: torrent.freeleech,
    uploadMultiplier: torrent.uploadMultiplier,
    downloadMultiplier: torrent.downloadMultiplier,
    completed: torrent.completed,
  };
}
