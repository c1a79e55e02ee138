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
   * These passkeys' users, each with its promotions and tokens. Each user's promotion stamp is read first (one index
   * probe per user): users that never had a promotion skip the promotions' query, and with `cached` (a reload of
   * cached users) a cached user whose stamp is unchanged, and none of whose promotions has ended, keeps them. So a
   * reload costs the same whatever number of tokens the users hold, unless they changed.
   */
  async users(
    passkeys: string[],
    cached?: (passkey: string) => UserSnapshot | undefined,
  ): Promise<Map<string, UserSnapshot>> {
    const now = this.clock.now();
    // The stamp is read before the promotions: a write between the two reads leaves the old stamp beside the new
    // promotions, which the next reload reads again; never the reverse.
    const [users, stamps] = await Promise.all([
      this.usersRepository.findSnapshotRows(passkeys),
      this.promotionsRepository.stampsForPasskeys(passkeys),
    ]);
    const kept = new Map<string, UserSnapshot>();
    const toRead: string[] = [];
    for (const user of users) {
      const stamp = stamps.get(user.passkey) ?? 0;
      const previous = cached?.(user.passkey);
      if (previous && previous.promotionsStamp === stamp && now < (previous.promotionsUntil ?? Infinity)) {
        kept.set(user.passkey, previous);
      } else if (stamp !== 0) {
        toRead.push(user.passkey);
      }
    }
    const byPasskey = groupByKey(
      toRead.length === 0 ? [] : await this.promotionsRepository.forPasskeys(toRead, new Date(now)),
    );
    return new Map(
      users.map((user) => {
        const previous = kept.get(user.passkey);
        return [
          user.passkey,
          previous
            ? withPromotionsOf(user, previous)
            : toUserSnapshot(user, byPasskey.get(user.passkey), stamps.get(user.passkey) ?? 0),
        ];
      }),
    );
  }

  /** These torrents, each with its promotions. */
  async torrents(infoHashes: string[]): Promise<Map<string, TorrentSnapshot>> {
    const [torrents, promotions] = await Promise.all([
      this.torrentsRepository.findSnapshotRows(infoHashes),
      this.promotionsRepository.forTorrents(infoHashes, new Date(this.clock.now())),
    ]);
    const byInfoHash = groupByKey(promotions);
    return new Map(
      torrents.map((torrent) => [torrent.infoHash, toTorrentSnapshot(torrent, byInfoHash.get(torrent.infoHash))]),
    );
  }
}
