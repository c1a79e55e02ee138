import { Injectable } from '@nestjs/common';
import { PeerStore } from 'src/peers/peer-store';
import { TorrentsRepository } from 'src/storage/repositories/torrents.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';

@Injectable()
export class StatsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly torrents: TorrentsRepository,
    private readonly peers: PeerStore,
  ) {}

  async get() {
    const [users, torrents, totals] = await Promise.all([
      this.users.count(),
      this.torrents.countLive(),
      this.peers.totals(Date.now()),
    ]);
    return { users, torrents, ...totals };
  }
}
