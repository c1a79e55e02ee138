import { Injectable } from '@nestjs/common';
import type { CreateClientDto } from 'src/admin/clients/client.dto';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { LookupService } from 'src/lookup/lookup.service';
import { ClientsRepository } from 'src/storage/repositories/clients.repository';

@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly lookup: LookupService,
  ) {}

  async list() {
    return (await this.clients.list()).map(({ prefix, name }) => ({ prefix, name }));
  }

  async add(dto: CreateClientDto) {
    const created = await this.clients.insert(dto.prefix, dto.name);
    if (!created) {
      throw new AdminException(AdminErrorCode.ClientExists, `Client prefix ${dto.prefix} is already listed`);
    }
    await this.lookup.invalidate({ kind: 'clients' });
    return { prefix: created.prefix, name: created.name };
  }

  async remove(prefix: string): Promise<void> {
    if (!(await this.clients.delete(prefix))) {
      throw new AdminException(AdminErrorCode.ClientNotFound, `Client prefix ${prefix} is not listed`);
    }
    await this.lookup.invalidate({ kind: 'clients' });
  }
}
