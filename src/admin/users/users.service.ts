import { Injectable } from '@nestjs/common';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import type { CreateUserDto, UpdateUserDto } from 'src/admin/users/user.dto';
import { generatePasskey } from 'src/admin/users/passkey.util';
import { LookupService } from 'src/lookup/lookup.service';
import { PeerStore } from 'src/peers/peer-store';
import type { UserEntity } from 'src/storage/entities/user.entity';
import { HistoryRepository } from 'src/storage/repositories/history.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';

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

  async torrents(id: number) {
    await this.require(id);
    const [rows, active] = await Promise.all([this.history.listForUser(id), this.peers.userTorrents(id, Date.now())]);
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

  private async require(id: number): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) {
      throw new AdminException(AdminErrorCode.UserNotFound, `User ${id} not found`);
    }
    return user;
  }

  private async view(user: UserEntity) {
    const activeTorrents = await this.peers.userTorrents(user.id, Date.now());
    return {
      id: user.id,
      passkey: user.passkey,
      enabled: user.enabled,
      canLeech: user.canLeech,
      uploadMultiplier: user.uploadMultiplier,
      downloadMultiplier: user.downloadMultiplier,
      uploaded: user.uploaded,
      downloaded: user.downloaded,
      rawUploaded: user.rawUploaded,
      rawDownloaded: user.rawDownloaded,
      lastIp: user.lastIp,
      lastActive: user.lastActive?.toISOString() ?? null,
      activeTorrents,
    };
  }
}
