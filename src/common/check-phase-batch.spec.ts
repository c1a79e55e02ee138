import { CheckPhaseBatch } from 'src/common/check-phase-batch';

describe('CheckPhaseBatch', () => {
  it('resumes nothing at once, then everything that awaited in one go, in order', async () => {
    const batch = new CheckPhaseBatch();
    const resumed: number[] = [];
    const waiting = [1, 2, 3].map(async (n) => {
      await batch.turn();
      resumed.push(n);
      return n * 10;
    });
    await Promise.resolve();
    expect(resumed).toEqual([]);
    await expect(Promise.all(waiting)).resolves.toEqual([10, 20, 30]);
    expect(resumed).toEqual([1, 2, 3]);
  });

  it('shares one turn within a poll phase, and starts a new one after it', async () => {
    const batch = new CheckPhaseBatch();
    const first = batch.turn();
    expect(batch.turn()).toBe(first);
    await first;
    expect(batch.turn()).not.toBe(first);
  });

  it('runs the work of one turn before the ticks it schedules', async () => {
    const batch = new CheckPhaseBatch();
    const order: string[] = [];
    await Promise.all(
      ['a', 'b'].map(async (name) => {
        await batch.turn();
        order.push(name);
        process.nextTick(() => order.push(`tick ${name}`));
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a', 'b', 'tick a', 'tick b']);
  });
});
