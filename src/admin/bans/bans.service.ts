import { Injectable } from '@nestjs/common';
import { AbuseBanService } from 'src/abuse/abuse-ban.service';
import type { BanListDto } from 'src/admin/bans/bans.dto';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';

/** GET and DELETE /api/bans: the abuse bans in force, and lifting one on every instance. */
@Injectable()
export class BansService {
  constructor(private readonly bans: AbuseBanService) {}

  async list(): Promise<BanListDto> {
    const bans = await this.bans.list();
    return {
      items: bans.map((ban) => ({
        ip: ban.ip,
        since: new Date(ban.since).toISOString(),
        until: new Date(ban.until).toISOString(),
        failures: ban.failures,
      })),
    };
  }

  async lift(ip: string): Promise<void> {
    if (!(await this.bans.lift(ip))) {
      throw new AdminException(AdminErrorCode.BanNotFound, `No ban of ${ip} is in force`, 'ip');
    }
  }
}
