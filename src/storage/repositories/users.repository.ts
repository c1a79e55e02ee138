import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { UserEntity } from 'src/storage/entities/user.entity';
import { isUniqueViolation } from 'src/storage/repositories/unique-violation.util';

export type NewUser = Pick<
  UserEntity,
  'id' | 'passkey' | 'enabled' | 'canLeech' | 'uploadMultiplier' | 'downloadMultiplier'
>;
export type UserChanges = Partial<Pick<UserEntity, 'enabled' | 'canLeech' | 'uploadMultiplier' | 'downloadMultiplier'>>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByPasskey(passkey: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ passkey });
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

  /** Deletes the user and, by cascade, its history. */
  async delete(id: number): Promise<void> {
    await this.users.delete({ id });
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
