import { Injectable } from '@nestjs/common';
import type { BlockedClientDto, CreateBlockedClientDto } from 'src/admin/blocked-clients/blocked-client.dto';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { formatVersion, parseVersion } from 'src/clients/client-version.util';
import { LookupService } from 'src/lookup/lookup.service';
import { ClientBlocksRepository } from 'src/storage/repositories/client-blocks.repository';

/** The client block list; every write drops the cached list on every instance (the whitelist's invalidation). */
@Injectable()
export class BlockedClientsService {
  constructor(
    private readonly blocks: ClientBlocksRepository,
    private readonly lookup: LookupService,
  ) {}

  list(): Promise<BlockedClientDto[]> {
    return this.blocks.list();
  }

  async get(id: number): Promise<BlockedClientDto> {
    return (await this.blocks.find(id)) ?? notFound(id);
  }

  async add(dto: CreateBlockedClientDto): Promise<BlockedClientDto> {
    // Stored normalised (4.3.0 as 4.3), so that one range cannot be listed twice under two spellings.
    const versionFrom = dto.versionFrom === undefined ? null : formatVersion(parseVersion(dto.versionFrom));
    const versionBelow = dto.versionBelow === undefined ? null : formatVersion(parseVersion(dto.versionBelow));
    if (versionFrom !== null && versionBelow !== null && parseVersion(versionFrom) >= parseVersion(versionBelow)) {
      throw new AdminException(
        AdminErrorCode.ValidationFailed,
        'versionBelow must be above versionFrom',
        'versionBelow',
      );
    }
    const created = await this.blocks.insert({ prefix: dto.prefix, versionFrom, versionBelow, reason: dto.reason });
    if (!created) {
      throw new AdminException(
        AdminErrorCode.BlockedClientExists,
        `Prefix ${dto.prefix} is already blocked with this version range`,
      );
    }
    await this.lookup.invalidate({ kind: 'clients' });
    return created;
  }

  async remove(id: number): Promise<void> {
    if (!(await this.blocks.delete(id))) {
      notFound(id);
    }
    await this.lookup.invalidate({ kind: 'clients' });
  }
}

function notFound(id: number): never {
  throw new AdminException(AdminErrorCode.BlockedClientNotFound, `Block-list entry ${id} does not exist`);
}
