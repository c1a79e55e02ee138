import { RedisKeys } from 'src/peers/redis/redis-keys';

describe('RedisKeys', () => {
  const ih = '0123456789abcdef0123456789abcdef01234567';
  const keys = new RedisKeys('tracker:');

  it('tags every key of a swarm with its info hash, so a Cluster keeps the swarm in one slot', () => {
    const swarm = keys.swarm(ih);
    const all = [swarm.peers, swarm.seeders, swarm.leechers, swarm.ledger, swarm.version, keys.batchPart(ih, 'b1')];
    for (const key of all) {
      expect(key).toMatch(new RegExp(`^tracker:\\{${ih}\\}:`));
    }
  });

  it('puts the tracker-wide keys together in one slot', () => {
    for (const key of [keys.dirty, keys.batches, keys.counters(7), keys.manifest('b1')]) {
      expect(key.startsWith('tracker:{~}:')).toBe(true);
    }
  });

  it('names the peer keys with the peer layout version, and the ledger without', () => {
    const swarm = keys.swarm(ih);
    const swarmKeys = [swarm.peers, swarm.seeders, swarm.leechers, swarm.version, swarm.ledger];
    expect(swarmKeys.map((k) => k.slice(-3))).toEqual([':p2', ':s2', ':l2', ':v2', '}:g']);
  });

  it('finds the info hash of a ledger key, and only of a ledger key', () => {
    expect(keys.infoHashOfLedger(keys.swarm(ih).ledger)).toBe(ih);
    expect(keys.infoHashOfLedger(keys.swarm(ih).peers)).toBeNull();
  });

  it('escapes glob characters of the prefix in SCAN patterns', () => {
    expect(new RedisKeys('a*b?:').ledgerPattern).toBe('a\\*b\\?:{*}:g');
  });

  it('refuses a prefix with a brace, which would become every key’s hash tag', () => {
    expect(() => new RedisKeys('x{y}:')).toThrow(/must not contain/);
  });
});
