import { CheckPhaseBatch } from 'src/common/check-phase-batch';

describe('CheckPhaseBatch', () => {
  it('runs nothing at once, then everything queued in one go, in order', async () => {
    const batch = new CheckPhaseBatch();
    const issued: number[] = [];
    const results = [1, 2, 3].map((n) =>
      batch.run(() => {
        issued.push(n);
        return Promise.resolve(n * 10);
      }),
    );
    expect(issued).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(issued).toEqual([1, 2, 3]);
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30]);
  });

  it('passes on a rejection, and turns a synchronous throw into one without stopping the others', async () => {
    const batch = new CheckPhaseBatch();
    const rejected = batch.run(() => Promise.reject(new Error('NOSCRIPT')));
    const thrown = batch.run((): Promise<number> => {
      throw new Error('bad argument');
    });
    const fine = batch.run(() => Promise.resolve('ok'));
    await expect(rejected).rejects.toThrow('NOSCRIPT');
    await expect(thrown).rejects.toThrow('bad argument');
    await expect(fine).resolves.toBe('ok');
  });

  it('starts a new batch for what is queued after a batch was issued', async () => {
    const batch = new CheckPhaseBatch();
    await batch.run(() => Promise.resolve(1));
    await expect(batch.run(() => Promise.resolve(2))).resolves.toBe(2);
  });
});
