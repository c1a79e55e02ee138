import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { ClientBlockRule } from 'src/clients/client-block-list';
import { ClientBlockEntity } from 'src/storage/entities/client-block.entity';
import { isUniqueViolation } from 'src/storage/repositories/unique-violation.util';

/** The client block list; a missing version bound is null here, '' in the table. */
@Injectable()
export class ClientBlocksRepository {
  constructor(@InjectRepository(ClientBlockEntity) private readonly blocks: Repository<ClientBlockEntity>) {}

  async list(): Promise<ClientBlockRule[]> {
    return (await this.blocks.find({ order: { id: 'ASC' } })).map(toRule);
  }

  async find(id: number): Promise<ClientBlockRule | null> {
    const found = await this.blocks.findOneBy({ id });
    return found && toRule(found);
  }

  /** Null when the same prefix and range are already listed. */
  async insert(rule: Omit<ClientBlockRule, 'id'>): Promise<ClientBlockRule | null> {
    try {
      const { identifiers } = await this.blocks.insert({
        prefix: rule.prefix,
        versionFrom: rule.versionFrom ?? '',
        versionBelow: rule.versionBelow ?? '',
        reason: rule.reason,
      });
      return this.find(identifiers[0].id as number);
    } catch (error) {
      if (isUniqueViolation(error)) {
        return null;
      }
      throw error;
    }
  }

  /** False when no entry has this id. */
  async delete(id: number): Promise<boolean> {
    const result = await this.blocks.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}

function toRule(entity: ClientBlockEntity): ClientBlockRule {
  return {
    id: entity.id,
    prefix: entity.prefix,
    versionFrom: entity.versionFrom || null,
    versionBelow: entity.versionBelow || null,
    reason: entity.reason,
  };
}
