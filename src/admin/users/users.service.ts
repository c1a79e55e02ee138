import { Injectable } from '@nestjs/common';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { DEFAULT_PAGE } from 'src/admin/common/page.dto';
import { clientOf } from 'src/admin/torrents/client-name.util';
import type { CreateUserDto, UpdateUserDto } from 'src/admin/users/user.dto';
import type { UserListQuery, UserTorrentsQuery } from 'src/admin/users/user-views.dto';
import { generatePasskey } from 'src/admin/users/passkey.util';
import { LookupService } from 'src/lookup/lookup.service';
import { PeerStore } from 'src/peers/peer-store';
import type { UserTorrents } from 'src/peers/peer-store.types';
import type { HistoryEntity } from 'src/storage/entities/history.entity';
import type { UserEntity } from 'src/storage/entities/user.entity';
import { type HistoryPageFilter, HistoryRepository } from 'src/storage/repositories/history.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';
import { endpointViews } from 'src/admin/common/peer-endpoint.dto';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly history: HistoryRepository,
    private readonly peers: PeerStore,
    private readonly lookup: LookupService,
  ) {}

  async create(dto: CreateUserDto) {
    const passkey = dto.passkey ?? generatePasskey();
    const created = await this.users.insert({
      id: dto.id,
      passkey,
      enabled: dto.enabled ?? true,
      canLeech: dto.canLeech ?? true,
      uploadMultiplier: dto.uploadMultiplier ?? 1,
      downloadMultiplier: dto.downloadMultiplier ?? 1,
      downloadSlots: dto.downloadSlots ?? null,
    });
    if (!created) {
      const idTaken = (await this.users.findById(dto.id)) !== null;
      throw idTaken
        ? new AdminException(AdminErrorCode.UserExists, `User ${dto.id} already exists`)
        : new AdminException(AdminErrorCode.PasskeyTaken, 'passkey is already in use');
    }
    // A failed announce with this passkey may have cached "unknown".
    await this.lookup.invalidate({ kind: 'passkey', passkey });
    return this.view(created);
  }

  async get(id: number) {
    return this.view(await this.require(id));
  }

  async update(id: number, dto: UpdateUserDto) {
    const user = await this.require(id);
    const updated = await this.users.update(id, dto);
    await this.lookup.invalidate({ kind: 'passkey', passkey: user.passkey });
    if (dto.enabled === false) {
      // A ban takes effect at once: the user's peers leave every swarm now, not after PEER_TTL.
      await this.peers.removeUser(id);
    }
    return this.view(updated ?? user);
  }

  async rotatePasskey(id: number, requested: string | undefined): Promise<{ passkey: string }> {
    const user = await this.require(id);
    const passkey = requested ?? generatePasskey();
    if (passkey !== user.passkey && !(await this.users.setPasskey(id, passkey))) {
      throw new AdminException(AdminErrorCode.PasskeyTaken, 'passkey is already in use');
    }
    await this.lookup.invalidate({ kind: 'passkey', passkey: user.passkey });
    await this.lookup.invalidate({ kind: 'passkey', passkey });
    return { passkey };
  }

  async delete(id: number): Promise<void> {
    const user = await this.require(id);
    await this.users.delete(id);
    await this.lookup.invalidate({ kind: 'passkey', passkey: user.passkey });
    await this.peers.removeUser(id);
  }

  async list(query: UserListQuery) {
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = await this.users.page(query.after ?? 0, limit, query.enabled);
    return {
      items: rows.map((user) => summaryOf(user)),
      next: rows.length === limit ? String(rows[rows.length - 1].id) : null,
    };
  }

  /** CONTRACT §5's whole history, most recently active first. */
  async torrents(id: number) {
    await this.require(id);
    const [rows, active] = await Promise.all([this.history.listForUser(id), this.peers.userTorrents(id, Date.now())]);
    return historyViews(rows, active);
  }

  /** The history paged in info hash order, filtered by live state and completion. */
  async torrentsPage(id: number, query: UserTorrentsQuery) {
    await this.require(id);
    const limit = query.limit ?? DEFAULT_PAGE;
    const active = await this.peers.userTorrents(id, Date.now());
    const live = [...active.seeding, ...active.leeching];
    const filter: HistoryPageFilter = { completed: query.completed };
    if (query.active === 'seeding' || query.active === 'leeching' || query.active === 'any') {
      filter.only = query.active === 'any' ? live : active[query.active];
    } else if (query.active === 'none') {
      filter.except = live;
    }
    const rows = await this.history.pageForUser(id, query.after ?? '', limit, filter);
    return { items: historyViews(rows, active), next: rows.length === limit ? rows[rows.length - 1].infoHash : null };
  }

  /** The user's live peers, through the peer store's admin views (swarms the user is in, then their peers). */
  async peersOf(id: number) {
    await this.require(id);
    const now = Date.now();
    const active = await this.peers.userTorrents(id, now);
    const infoHashes = [...new Set([...active.seeding, ...active.leeching])].sort();
    const items = [];
    for (const infoHash of infoHashes) {
      for (const peer of await this.peers.swarmPeers(infoHash, now)) {
        if (peer.userId === id) {
          items.push({
            infoHash,
            peerId: peer.peerId.toString('hex'),
            client: clientOf(peer.peerId),
            ip: peer.ip,
            port: peer.port,
            endpoints: endpointViews(peer.endpoints),
            seeder: peer.seeder,
            left: peer.left,
            uploaded: peer.uploaded,
            downloaded: peer.downloaded,
            lastAnnounce: new Date(peer.lastAnnounce).toISOString(),
          });
        }
      }
    }
    return { items, next: null };
  }

  private async require(id: number): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) {
      throw new AdminException(AdminErrorCode.UserNotFound, `User ${id} not found`);
    }
    return user;
  }

  private async view(user: UserEntity) {
    const activeTorrents = await this.peers.userTorrents(user.id, Date.now());
    return { ...summaryOf(user), activeTorrents };
  }
}

function summaryOf(user: UserEntity) {
  return {
    id: user.id,
    passkey: user.passkey,
    enabled: user.enabled,
    canLeech: user.canLeech,
    uploadMultiplier: user.uploadMultiplier,
    downloadMultiplier: user.downloadMultiplier,
    downloadSlots: user.downloadSlots,
    uploaded: user.uploaded,
    downloaded: user.downloaded,
    rawUploaded: user.rawUploaded,
    rawDownloaded: user.rawDownloaded,
    lastIp: user.lastIp,
    lastActive: user.lastActive?.toISOString() ?? null,
  };
}

function historyViews(rows: HistoryEntity[], active: UserTorrents) {
  const seeding = new Set(active.seeding);
  const leeching = new Set(active.leeching);
  return rows.map((row) => ({
    infoHash: row.infoHash,
    uploaded: row.uploaded,
    downloaded: row.downloaded,
    rawUploaded: row.rawUploaded,
    rawDownloaded: row.rawDownloaded,
    seedTime: Math.floor(row.seedTimeMs / 1000),
    completedAt: row.completedAt?.toISOString() ?? null,
    firstAnnounce: row.firstAnnounce.toISOString(),
    lastAnnounce: row.lastAnnounce.toISOString(),
    active: seeding.has(row.infoHash) ? 'seeding' : leeching.has(row.infoHash) ? 'leeching' : null,
  }));
}
