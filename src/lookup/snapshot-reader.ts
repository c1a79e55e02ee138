import type { Clock } from 'src/common/clock';
import { groupByKey, toTorrentSnapshot, toUserSnapshot, withPromotionsOf } from 'src/lookup/lookup-snapshots.util';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';
import type { PromotionsRepository } from 'src/storage/repositories/promotions.repository';
import type { TorrentsRepository } from 'src/storage/repositories/torrents.repository';
import type { UsersRepository } from 'src/storage/repositories/users.repository';

/** Reads users and torrents from PostgreSQL as the lookup cache holds them: with their promotions. */
export class SnapshotReader {
  constructor(
    private readonly usersRepository: UsersRepository,
    private readonly torrentsRepository: TorrentsRepository,
    private readonly promotionsRepository: PromotionsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * These passkeys' users, each with its promotions and tokens. With `cached` (a reload of cached users), a cached
   * user whose promotions' version is unchanged keeps them, and only the others' are read.
   */
  async users(
    passkeys: string[],
    cached?: (passkey: string) => UserSnapshot | undefined,
  ): Promise<Map<string, UserSnapshot>> {
    const now = new Date(this.clock.now());
    const [users, versions] = await Promise.all([
      this.usersRepository.findManyByPasskey(passkeys),
      cached ? this.promotionsRepository.versionsForPasskeys(passkeys, now) : null,
    ]);
    const kept = new Map<string, UserSnapshot>();
    for (const user of versions && cached ? users : []) {
      const previous = cached!(user.passkey);
      if (previous && previous.promotionsVersion === (versions!.get(user.passkey) ?? '')) {
        kept.set(user.passkey, previous);
      }
    }
    const toRead = users.filter((user) => !kept.has(user.passkey)).map((user) => user.passkey);
    const byPasskey = groupByKey(toRead.length === 0 ? [] : await this.promotionsRepository.forPasskeys(toRead, now));
    return new Map(
      users.map((user) => {
        const previous = kept.get(user.passkey);
        return [
          user.passkey,
          previous ? withPromotionsOf(user, previous) : toUserSnapshot(user, byPasskey.get(user.passkey)),
        ];
      }),
    );
  }

  /** These torrents, each with its promotions. */
  async torrents(infoHashes: string[]): Promise<Map<string, TorrentSnapshot>> {
    const [torrents, promotions] = await Promise.all([
      this.torrentsRepository.findManyByInfoHash(infoHashes),
      this.promotionsRepository.forTorrents(infoHashes, new Date(this.clock.now())),
    ]);
    const byInfoHash = groupByKey(promotions);
    return new Map(
      torrents.map((torrent) => [torrent.infoHash, toTorrentSnapshot(torrent, byInfoHash.get(torrent.infoHash))]),
    );
  }
}
