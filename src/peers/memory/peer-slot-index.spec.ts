import { PeerSlotIndex } from 'src/peers/memory/peer-slot-index';
import { NO_SLOT, PeerSlotTable } from 'src/peers/memory/peer-slot-table';

function peerId(n: number): Buffer {
  const id = Buffer.alloc(20);
  id.writeUInt32BE(n, 16);
  return id;
}

describe('PeerSlotIndex', () => {
  it('finds by swarm, user and peer id, all three', () => {
    const slots = new PeerSlotTable(16);
    const index = new PeerSlotIndex(slots, 16);
    const s = slots.allocate();
    slots.swarm[s] = 3;
    slots.userId[s] = 7;
    slots.writePeerId(s, peerId(1));
    index.insert(s);
    expect(index.find(3, 7, peerId(1))).toBe(s);
    expect(index.find(4, 7, peerId(1))).toBe(NO_SLOT);
    expect(index.find(3, 8, peerId(1))).toBe(NO_SLOT);
    expect(index.find(3, 7, peerId(2))).toBe(NO_SLOT);
  });

  it('agrees with a Map through heavy random churn, across growth and back-shifted deletes', () => {
    const slots = new PeerSlotTable(16);
    const index = new PeerSlotIndex(slots, 16);
    const model = new Map<string, number>();
    let seed = 12345;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 40_000; step++) {
      const swarm = random(20);
      const user = random(30);
      const n = random(40);
      const key = `${swarm}/${user}/${n}`;
      const existing = model.get(key);
      expect(index.find(swarm, user, peerId(n))).toBe(existing ?? NO_SLOT);
      if (existing === undefined) {
        const s = slots.allocate();
        slots.swarm[s] = swarm;
        slots.userId[s] = user;
        slots.writePeerId(s, peerId(n));
        index.insert(s);
        model.set(key, s);
      } else if (random(2) === 0) {
        index.remove(existing);
        slots.free(existing);
        model.delete(key);
      }
    }
    expect(index.size).toBe(model.size);
    for (const [key, slot] of model) {
      const [swarm, user, n] = key.split('/').map(Number);
      expect(index.find(swarm, user, peerId(n))).toBe(slot);
    }
  });
});
