import type { PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import { Swarm } from 'src/peers/memory/swarm';

/**
 * Info hash → swarm, and the small integer id each slot stores instead of the hash. Empty swarms are dropped
 * and their ids reused, so a tracker with torrent churn does not grow without bound.
 */
export class SwarmRegistry {
  private readonly byHash = new Map<string, Swarm>();
  private readonly byId: (Swarm | undefined)[] = [];
  private readonly freeIds: number[] = [];

  constructor(private readonly slots: PeerSlotTable) {}

  get(infoHash: string): Swarm | undefined {
    return this.byHash.get(infoHash);
  }

  getOrCreate(infoHash: string): Swarm {
    let swarm = this.byHash.get(infoHash);
    if (!swarm) {
      const id = this.freeIds.pop() ?? this.byId.length;
      swarm = new Swarm(id, infoHash, this.slots);
      this.byId[id] = swarm;
      this.byHash.set(infoHash, swarm);
    }
    return swarm;
  }

  byIdOrThrow(id: number): Swarm {
    const swarm = this.byId[id];
    if (!swarm) {
      throw new Error(`unknown swarm id ${id}`);
    }
    return swarm;
  }

  delete(swarm: Swarm): void {
    this.byHash.delete(swarm.infoHash);
    this.byId[swarm.id] = undefined;
    this.freeIds.push(swarm.id);
  }

  get count(): number {
    return this.byHash.size;
  }
}
