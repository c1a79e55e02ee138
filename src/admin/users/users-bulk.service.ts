import { Injectable, Logger } from '@nestjs/common';
import { AdminErrorCode } from 'src/admin/common/admin.exception';
import { type BulkFailure, readUserItem, type UserItem } from 'src/admin/common/bulk-item.util';
import { generatePasskeys } from 'src/admin/users/passkey.util';
import { LookupService } from 'src/lookup/lookup.service';
import { PeerStore } from 'src/peers/peer-store';
import { BulkUsersRepository } from 'src/storage/repositories/bulk-users.repository';

/** Passkeys per invalidation message: one message for a whole bulk upsert would be megabytes. */
const INVALIDATION_CHUNK = 1000;
/** Users whose peers are dropped at once after a bulk ban. */
const BAN_CONCURRENCY = 16;

export interface BulkResult {
  created: number;
  updated: number;
  failed: BulkFailure[];
}

/** PUT /api/users: up to 10,000 users created or updated in one transaction; a bad item fails alone. */
@Injectable()
export class UsersBulkService {
  private readonly logger = new Logger(UsersBulkService.name);

  constructor(
    private readonly bulk: BulkUsersRepository,
    private readonly peers: PeerStore,
    private readonly lookup: LookupService,
  ) {}

  async upsert(raw: unknown[]): Promise<BulkResult> {
    const failed: BulkFailure[] = [];
    const items: (UserItem & { index: number })[] = [];
    const ids = new Set<number>();
    const passkeys = new Set<string>();
    raw.forEach((value, index) => {
      const item = readUserItem(value);
      if (typeof item === 'string') {
        failed.push({ index, code: AdminErrorCode.ValidationFailed, message: item });
      } else if (ids.has(item.id)) {
        failed.push({
          index,
          code: AdminErrorCode.UserExists,
          message: `user ${item.id} appears twice in this request`,
        });
      } else if (item.passkey !== null && passkeys.has(item.passkey)) {
        failed.push({ index, code: AdminErrorCode.PasskeyTaken, message: 'passkey appears twice in this request' });
      } else {
        ids.add(item.id);
        if (item.passkey !== null) {
          passkeys.add(item.passkey);
        }
        items.push({ ...item, index });
      }
    });
    if (items.length === 0) {
      return { created: 0, updated: 0, failed };
    }
    const generated = generatePasskeys(items.length);
    const result = await this.bulk.upsert(items.map((item, i) => ({ ...item, generatedPasskey: generated[i] })));
    const taken = new Set(result.passkeyTaken);
    for (const item of items) {
      if (taken.has(item.id)) {
        failed.push({ index: item.index, code: AdminErrorCode.PasskeyTaken, message: 'passkey is already in use' });
      }
    }
    failed.sort((a, b) => a.index - b.index);

    // Cached "unknown" answers for the new passkeys, and cached users for the changed ones, on every instance.
    const stale = [
      ...result.created.map((row) => row.passkey),
      ...result.changed.flatMap((row) =>
        row.oldPasskey === row.passkey ? [row.passkey] : [row.oldPasskey, row.passkey],
      ),
    ];
    for (let i = 0; i < stale.length; i += INVALIDATION_CHUNK) {
      await this.lookup.invalidate({ kind: 'passkeys', passkeys: stale.slice(i, i + INVALIDATION_CHUNK) });
    }
    await this.dropPeersOf(result.changed.filter((row) => row.disabled).map((row) => row.id));
    return { created: result.created.length, updated: result.existing.length, failed };
  }

  /** A ban takes effect at once: the users' peers leave every swarm (as PATCH and DELETE do). */
  private async dropPeersOf(userIds: number[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < userIds.length) {
        const id = userIds[next++];
        try {
          await this.peers.removeUser(id);
        } catch (error) {
          // The ban itself is written; the peers expire after PEER_TTL at the latest.
          this.logger.warn(`Could not drop the peers of banned user ${id}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BAN_CONCURRENCY, userIds.length) }, worker));
  }
}
