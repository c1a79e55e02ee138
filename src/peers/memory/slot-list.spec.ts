import { PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import { SlotList } from 'src/peers/memory/slot-list';

function contents(list: SlotList): number[] {
  return [...list.items.subarray(0, list.count)].sort((a, b) => a - b);
}

describe('SlotList', () => {
  it('removes any item in O(1) by swapping in the last, keeping positions right', () => {
    const slots = new PeerSlotTable(64);
    const list = new SlotList(slots);
    for (let s = 0; s < 10; s++) {
      list.add(s);
    }
    list.remove(3);
    list.remove(0);
    list.remove(9);
    expect(contents(list)).toEqual([1, 2, 4, 5, 6, 7, 8]);
    for (let i = 0; i < list.count; i++) {
      expect(slots.listPos[list.items[i]]).toBe(i);
    }
  });

  it('grows and shrinks its array with the swarm', () => {
    const slots = new PeerSlotTable(2048);
    const list = new SlotList(slots);
    for (let s = 0; s < 1000; s++) {
      list.add(s);
    }
    expect(list.items.length).toBeGreaterThanOrEqual(1000);
    for (let s = 0; s < 990; s++) {
      list.remove(s);
    }
    expect(contents(list)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    expect(list.items.length).toBeLessThan(64);
  });
});
