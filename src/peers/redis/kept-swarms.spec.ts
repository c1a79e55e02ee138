import { type KeptSwarm, KeptSwarms } from 'src/peers/redis/kept-swarms';

function swarmOf(version: number, memberBytes: number, liveUntil = 1000): KeptSwarm {
  return {
    version,
    complete: 1,
    incomplete: 2,
    seeders: Buffer.alloc(memberBytes, 1),
    leechers: Buffer.alloc(memberBytes, 2),
    liveUntil,
  };
}

describe('KeptSwarms', () => {
  it('answers only until the oldest member expires, and only announces that want every member', () => {
    const kept = new KeptSwarms(1 << 20);
    kept.keep('a', swarmOf(7, 31));
    expect(kept.usable('a', 1000, 3)?.version).toBe(7);
    expect(kept.usable('a', 1001, 3)).toBeUndefined();
    expect(kept.usable('a', 1000, 2)).toBeUndefined();
    expect(kept.usable('b', 0, 50)).toBeUndefined();
  });

  it('keeps its own copy of the members, not a view into the buffers it was given', () => {
    const kept = new KeptSwarms(1 << 20);
    const swarm = swarmOf(1, 4);
    kept.keep('a', swarm);
    swarm.seeders.fill(9);
    swarm.leechers.fill(9);
    const usable = kept.usable('a', 0, 3);
    expect([...(usable?.seeders ?? [])]).toEqual([1, 1, 1, 1]);
    expect([...(usable?.leechers ?? [])]).toEqual([2, 2, 2, 2]);
  });

  it('drops the swarm kept longest ago once over its bytes, and replaces a swarm kept again', () => {
    const kept = new KeptSwarms(3 * (2 * 100 + 320));
    for (const name of ['a', 'b', 'c']) {
      kept.keep(name, swarmOf(1, 100));
    }
    kept.keep('a', swarmOf(2, 100));
    kept.keep('d', swarmOf(1, 100));
    expect(['a', 'b', 'c', 'd'].map((name) => kept.usable(name, 0, 3)?.version)).toEqual([2, undefined, 1, 1]);
  });

  it('keeps nothing when given no bytes', () => {
    const kept = new KeptSwarms(0);
    kept.keep('a', swarmOf(1, 10));
    expect(kept.usable('a', 0, 3)).toBeUndefined();
  });
});
