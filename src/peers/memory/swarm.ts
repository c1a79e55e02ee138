import type { PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import { SlotList } from 'src/peers/memory/slot-list';

/** One torrent's live peers, split by seeding state; the only per-swarm objects the memory store keeps. */
export class Swarm {
  readonly seeders: SlotList;
  readonly leechers: SlotList;
  /** When a leecher last left by completing or stopping (cheat-signals.util.ts); 0: never. */
  lastLeecherLeftAt = 0;

  constructor(
    readonly id: number,
    readonly infoHash: string,
    slots: PeerSlotTable,
  ) {
    this.seeders = new SlotList(slots);
    this.leechers = new SlotList(slots);
  }

  get size(): number {
    return this.seeders.count + this.leechers.count;
  }

  listOf(seeder: boolean): SlotList {
    return seeder ? this.seeders : this.leechers;
  }
}
