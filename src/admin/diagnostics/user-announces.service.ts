import { Injectable } from '@nestjs/common';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import type { UserAnnounceDto, UserAnnounceListDto } from 'src/admin/diagnostics/user-announces.dto';
import { clientOf } from 'src/admin/torrents/client-name.util';
import { AnnounceLog } from 'src/diagnostics/announce-log';
import { decodeLogEntry, type AnnounceLogEntry } from 'src/diagnostics/announce-log-entry.util';
import { UsersRepository } from 'src/storage/repositories/users.repository';

/** GET /api/users/:id/announces: why a user's client is failing, from the announce log. */
@Injectable()
export class UserAnnouncesService {
  constructor(
    private readonly log: AnnounceLog,
    private readonly users: UsersRepository,
  ) {}

  async list(userId: number, infoHash: string | undefined): Promise<UserAnnounceListDto> {
    if (!(await this.users.findById(userId))) {
      throw new AdminException(AdminErrorCode.UserNotFound, `User ${userId} not found`);
    }
    const items: UserAnnounceDto[] = [];
    for (const text of await this.log.read(userId)) {
      const entry = decodeLogEntry(text);
      if (entry && (infoHash === undefined || entry.infoHash === infoHash)) {
        items.push(view(entry));
      }
    }
    return { items };
  }
}

function view(entry: AnnounceLogEntry): UserAnnounceDto {
  const { time, result, retryIn, peerIdPrefix, ...rest } = entry;
  return {
    ...rest,
    time: new Date(time).toISOString(),
    outcome: result === 'ok' ? 'ok' : 'refused',
    code: result === 'ok' ? null : result,
    retryIn: retryIn === null ? null : String(retryIn),
    client: peerIdPrefix === null ? null : clientOf(Buffer.from(peerIdPrefix, 'hex')),
    peerIdPrefix,
  };
}
