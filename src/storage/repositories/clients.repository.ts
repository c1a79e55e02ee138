import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ClientRuleEntity } from 'src/storage/entities/client-rule.entity';
import { isUniqueViolation } from 'src/storage/repositories/unique-violation.util';

@Injectable()
export class ClientsRepository {
  constructor(@InjectRepository(ClientRuleEntity) private readonly clients: Repository<ClientRuleEntity>) {}

  list(): Promise<ClientRuleEntity[]> {
    return this.clients.find({ order: { prefix: 'ASC' } });
  }

  /** Null when the prefix is already listed. */
  async insert(prefix: string, name: string): Promise<ClientRuleEntity | null> {
    try {
      await this.clients.insert({ prefix, name });
    } catch (error) {
      if (isUniqueViolation(error)) {
        return null;
      }
      throw error;
    }
    return this.clients.findOneBy({ prefix });
  }

  /** False when the prefix was not listed. */
  async delete(prefix: string): Promise<boolean> {
    const result = await this.clients.delete({ prefix });
    return (result.affected ?? 0) > 0;
  }
}
