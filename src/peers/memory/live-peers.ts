import { ExpiryQueue } from 'src/peers/memory/expiry-queue';
import { PeerSlotIndex } from 'src/peers/memory/peer-slot-index';
import { NO_SLOT, PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import type { Swarm } from 'src/peers/memory/swarm';
import { SwarmRegistry } from 'src/peers/memory/swarm-registry';
import { UserLeeches } from 'src/peers/memory/user-leeches';
import { UserPeerLists } from 'src/peers/memory/user-peer-lists';
import type { PeerAnnounce, PeerTotals } from 'src/peers/peer-store.types';

/**
 * The live peers of every swarm and the structures that find them: by key (hash index), by swarm (seeder and
 * leecher lists), by user, and by age (expiry queue). Every insert and removal goes through here so those stay
 * in step. Knows nothing of accounting.
 */
export class LivePeers {
  readonly slots = new PeerSlotTable();
  readonly swarms = new SwarmRegistry(this.slots);
  private readonly index = new PeerSlotIndex(this.slots);
  private readonly expiry = new ExpiryQueue(this.slots);
  private readonly users = new UserPeerLists(this.slots);
  private readonly leeches = new UserLeeches();
  private seeders = 0;
  private leechers = 0;

  constructor(private readonly ttlMs: number) {}

  /** The peer's slot, or NO_SLOT when absent or expired at `now` (an expired one is removed on the way). */
  find(infoHash: string, userId: number, peerId: Uint8Array, now: number): number {
    const swarm = this.swarms.get(infoHash);
    const slot = swarm ? this.index.find(swarm.id, userId, peerId) : NO_SLOT;
    if (slot !== NO_SLOT && this.slots.lastAnnounce[slot] < now - this.ttlMs) {
      this.remove(slot);
      return NO_SLOT;
    }
    return slot;
  }

  insert(swarm: Swarm, a: PeerAnnounce, seeder: boolean): number {
    if ((a.userId | 0) !== a.userId) {
      throw new RangeError(`user id ${a.userId} does not fit the peer table`);
    }
    const slot = this.slots.allocate();
    const s = this.slots;
    s.swarm[slot] = swarm.id;
    s.userId[slot] = a.userId;
    s.writePeerId(slot, a.peerId);
    s.writeIp(slot, a.ipBytes);
    s.port[slot] = a.port;
    this.writeState(slot, a, seeder);
    this.index.insert(slot);
    swarm.listOf(seeder).add(slot);
    this.expiry.push(slot);
    this.users.link(slot);
    this.count(seeder, 1);
    if (!seeder) {
      this.leeches.add(a.userId, swarm.id);
    }
    return slot;
  }

  update(swarm: Swarm, slot: number, a: PeerAnnounce, seeder: boolean): void {
    const was = this.slots.isSeeder(slot);
    // Only the endpoint of the announce's family; the baseline below is the peer's one (README: dual-stack peers).
    this.slots.writeEndpoint(slot, a.ipBytes, a.port, a.now, a.now - this.ttlMs);
    this.writeState(slot, a, seeder);
    if (was !== seeder) {
      if (seeder) {
        swarm.lastLeecherLeftAt = a.now;
      }
      swarm.listOf(was).remove(slot);
      swarm.listOf(seeder).add(slot);
      this.count(was, -1);
      this.count(seeder, 1);
      if (seeder) {
        this.leeches.remove(a.userId, swarm.id);
      } else {
        this.leeches.add(a.userId, swarm.id);
      }
    }
    this.expiry.touch(slot);
  }

  remove(slot: number): void {
    const s = this.slots;
    const swarm = this.swarms.byIdOrThrow(s.swarm[slot]);
    const seeder = s.isSeeder(slot);
    swarm.listOf(seeder).remove(slot);
    this.index.remove(slot);
    this.expiry.unlink(slot);
    this.users.unlink(slot);
    if (!seeder) {
      this.leeches.remove(s.userId[slot], swarm.id);
    }
    s.free(slot);
    this.count(seeder, -1);
    if (swarm.size === 0) {
      this.swarms.delete(swarm);
    }
  }

  /** Removes up to `budget` peers silent for longer than the TTL at `now`, oldest first; returns how many. */
  expire(now: number, budget: number): number {
    const cutoff = now - this.ttlMs;
    let removed = 0;
    for (let slot = this.expiry.head; slot !== NO_SLOT && removed < budget; slot = this.expiry.head) {
      if (this.slots.lastAnnounce[slot] >= cutoff) {
        break;
      }
      this.remove(slot);
      removed++;
    }
    return removed;
  }

  removeSwarm(infoHash: string): void {
    const swarm = this.swarms.get(infoHash);
    while (swarm && swarm.size > 0) {
      const list = swarm.seeders.count > 0 ? swarm.seeders : swarm.leechers;
      this.remove(list.items[list.count - 1]);
    }
  }

  removeUser(userId: number): void {
    for (let slot = this.users.first(userId); slot !== NO_SLOT; slot = this.users.first(userId)) {
      this.remove(slot);
    }
  }

  /**
   * Live peers of `userId` in `swarm` (last announce at or after `liveSince`), counted up to `atMost`. Walks the
   * shorter of the user's list and the swarm's lists: a new peer of a seedbox user in a small swarm, or of anyone in
   * a large one, stays cheap. Only a new peer id pays for it.
   */
  countUserPeers(swarm: Swarm, userId: number, liveSince: number, atMost: number): number {
    const s = this.slots;
    let n = 0;
    if (this.users.sizeOf(userId) <= swarm.size) {
      for (let slot = this.users.first(userId); slot !== NO_SLOT && n < atMost; slot = s.userNext[slot]) {
        if (s.swarm[slot] === swarm.id && s.lastAnnounce[slot] >= liveSince) {
          n++;
        }
      }
      return n;
    }
    for (const list of [swarm.seeders, swarm.leechers]) {
      for (let i = 0; i < list.count && n < atMost; i++) {
        const slot = list.items[i];
        if (s.userId[slot] === userId && s.lastAnnounce[slot] >= liveSince) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * The torrents other than `swarmId` (undefined: a swarm that does not exist) in which the user has a live leecher,
   * or -1 when it has one in `swarmId`. A leecher silent past the TTL counts until the expiry sweep removes it (a few
   * announces later at most).
   */
  leechingElsewhere(swarmId: number | undefined, userId: number): number {
    return this.leeches.elsewhere(userId, swarmId);
  }

  slotsOfSwarm(infoHash: string): number[] {
    const swarm = this.swarms.get(infoHash);
    if (!swarm) {
      return [];
    }
    const { seeders, leechers } = swarm;
    return [...seeders.items.subarray(0, seeders.count), ...leechers.items.subarray(0, leechers.count)];
  }

  slotsOfUser(userId: number): number[] {
    return this.users.slotsOf(userId);
  }

  totals(): PeerTotals {
    return { peers: this.seeders + this.leechers, seeders: this.seeders, leechers: this.leechers };
  }

  /** The accounting baseline and role, one per peer whichever family it announced over. */
  private writeState(slot: number, a: PeerAnnounce, seeder: boolean): void {
    const s = this.slots;
    s.setSeeder(slot, seeder);
    s.uploaded[slot] = a.uploaded;
    s.downloaded[slot] = a.downloaded;
    s.left[slot] = a.left;
    s.lastAnnounce[slot] = a.now;
  }

  private count(seeder: boolean, delta: number): void {
    if (seeder) {
      this.seeders += delta;
    } else {
      this.leechers += delta;
    }
  }
}
