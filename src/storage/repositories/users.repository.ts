import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { HistoryEntity } from 'src/storage/entities/history.entity';
import { UserEntity } from 'src/storage/entities/user.entity';
import { isUniqueViolation } from 'src/storage/repositories/unique-violation.util';

export type UserSnapshotRow = Pick<
  UserEntity,
  'id' | 'passkey' | 'enabled' | 'canLeech' | 'uploadMultiplier' | 'downloadMultiplier' | 'downloadSlots'
>;
export type NewUser = Pick<
  UserEntity,
  'id' | 'passkey' | 'enabled' | 'canLeech' | 'uploadMultiplier' | 'downloadMultiplier' | 'downloadSlots'
>;
export type UserChanges = Partial<
  Pick<UserEntity, 'enabled' | 'canLeech' | 'uploadMultiplier' | 'downloadMultiplier' | 'downloadSlots'>
>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByPasskey(passkey: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ passkey });
  }

  /** The columns an announce needs, as plain rows (see TorrentsRepository.findSnapshotRows). */
  findSnapshotRows(passkeys: string[]): Promise<UserSnapshotRow[]> {
    return this.users.query(
      `SELECT id, passkey, enabled, can_leech AS "canLeech", upload_multiplier AS "uploadMultiplier",
              download_multiplier AS "downloadMultiplier", download_slots AS "downloadSlots"
       FROM users WHERE passkey = ANY($1)`,
      [passkeys],
    );
  }

  /** Null when the id or the passkey is taken. */
  async insert(user: NewUser): Promise<UserEntity | null> {
    try {
      await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) {
        return null;
      }
      throw error;
    }
    return this.findById(user.id);
  }

  async update(id: number, changes: UserChanges): Promise<UserEntity | null> {
    if (Object.keys(changes).length > 0) {
      await this.users.update({ id }, changes);
    }
    return this.findById(id);
  }

  /** False when the passkey belongs to another user. */
  async setPasskey(id: number, passkey: string): Promise<boolean> {
    try {
      await this.users.update({ id }, { passkey });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return false;
      }
      throw error;
    }
  }

  /**
   * Deletes the user, then its history, in one transaction. The user's row goes first: a flush that already locked
   * it finishes before this proceeds (and its history rows are deleted here), a later flush finds no user and
   * writes nothing for it (LedgerRepository).
   */
  async delete(id: number): Promise<void> {
    await this.users.manager.transaction(async (manager) => {
      await manager.delete(UserEntity, { id });
      await manager.delete(HistoryEntity, { userId: id });
    });
  }

  /** A page in id order after `after` (exclusive). */
  page(after: number, limit: number, enabled?: boolean): Promise<UserEntity[]> {
    const query = this.users
      .createQueryBuilder('u')
      .where('u.id > :after', { after })
      .orderBy('u.id', 'ASC')
      .limit(limit);
    if (enabled !== undefined) {
      query.andWhere('u.enabled = :enabled', { enabled });
    }
    return query.getMany();
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
