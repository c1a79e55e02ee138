import { BatchedRefresh } from 'src/lookup/batched-refresh';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedRefresh', () => {
  it('loads the keys asked for in one turn of the event loop with one call', async () => {
    const loads: string[][] = [];
    const refresh = new BatchedRefresh('things', (keys) => Promise.resolve(loads.push(keys)));
    ['a', 'b', 'a', 'c'].forEach((key) => refresh.request(key));
    await turn();
    await turn();
    expect(loads).toEqual([['a', 'b', 'c']]);
  });

  it('after a failure, tries again only once the pause is over', async () => {
    let now = 1_000_000;
    let attempts = 0;
    const refresh = new BatchedRefresh(
      'things',
      () => {
        attempts++;
        return Promise.reject(new Error('database away'));
      },
      () => now,
    );
    refresh.request('a');
    await turn();
    await turn();
    for (let i = 0; i < 100; i++) {
      refresh.request('a');
      await turn();
    }
    expect(attempts).toBe(1);

    now += 5001;
    refresh.request('a');
    await turn();
    await turn();
    expect(attempts).toBe(2);
  });
});
