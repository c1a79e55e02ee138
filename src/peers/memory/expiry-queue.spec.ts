import { ExpiryQueue } from 'src/peers/memory/expiry-queue';
import { NO_SLOT, PeerSlotTable } from 'src/peers/memory/peer-slot-table';

function order(slots: PeerSlotTable, queue: ExpiryQueue): number[] {
  const out: number[] = [];
  for (let s = queue.head; s !== NO_SLOT; s = slots.expiryNext[s]) {
    out.push(s);
  }
  return out;
}

function setup(times: number[]) {
  const slots = new PeerSlotTable(16);
  const queue = new ExpiryQueue(slots);
  for (const t of times) {
    const s = slots.allocate();
    slots.lastAnnounce[s] = t;
    queue.push(s);
  }
  return { slots, queue };
}

describe('ExpiryQueue', () => {
  it('keeps slots oldest first', () => {
    const { slots, queue } = setup([10, 20, 30]);
    expect(order(slots, queue)).toEqual([0, 1, 2]);
  });

  it('puts a slightly older announce in its place', () => {
    const { slots, queue } = setup([10, 30, 20, 5]);
    expect(order(slots, queue).map((s) => slots.lastAnnounce[s])).toEqual([5, 10, 20, 30]);
  });

  it('moves a re-announced slot to the back and unlinks anywhere', () => {
    const { slots, queue } = setup([10, 20, 30]);
    slots.lastAnnounce[0] = 40;
    queue.touch(0);
    expect(order(slots, queue)).toEqual([1, 2, 0]);
    queue.unlink(2);
    queue.unlink(1);
    expect(order(slots, queue)).toEqual([0]);
    queue.unlink(0);
    expect(queue.head).toBe(NO_SLOT);
  });

  it('does not walk far back for a much older announce', () => {
    const { slots, queue } = setup(Array.from({ length: 100 }, (_, i) => 1000 + i));
    const s = slots.allocate();
    slots.lastAnnounce[s] = 1;
    queue.push(s);
    const got = order(slots, queue);
    expect(got).toHaveLength(101);
    expect(got[100]).toBe(s);
  });
});
