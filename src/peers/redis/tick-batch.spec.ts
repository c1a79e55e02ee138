import { TickBatch } from 'src/peers/redis/tick-batch';

describe('TickBatch', () => {
  it("sends one tick's items on the next tick, in order, in calls of at most the bound", async () => {
    const calls: number[][] = [];
    const batch = new TickBatch<number>(2, (items) => calls.push(items));
    [1, 2, 3, 4, 5].forEach((n) => batch.add(n));
    expect(calls).toEqual([]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
    batch.add(6);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls).toEqual([[1, 2], [3, 4], [5], [6]]);
  });
});
