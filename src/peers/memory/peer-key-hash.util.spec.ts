import { hashPeerKey } from 'src/peers/memory/peer-key-hash.util';

describe('hashPeerKey', () => {
  const id = Buffer.from('-qB4650-abcdefghijkl', 'latin1');

  it('is a deterministic unsigned 32-bit value for a given seed', () => {
    const h = hashPeerKey(42, 1, 7, id, 0);
    expect(h).toBe(hashPeerKey(42, 1, 7, id, 0));
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
  });

  it('depends on the seed, the swarm, the user and every byte of the peer id', () => {
    const h = hashPeerKey(42, 1, 7, id, 0);
    expect(hashPeerKey(43, 1, 7, id, 0)).not.toBe(h);
    expect(hashPeerKey(42, 2, 7, id, 0)).not.toBe(h);
    expect(hashPeerKey(42, 1, 8, id, 0)).not.toBe(h);
    for (let i = 0; i < 20; i++) {
      const other = Buffer.from(id);
      other[i] ^= 1;
      expect(hashPeerKey(42, 1, 7, other, 0)).not.toBe(h);
    }
  });

  it('reads the peer id at an offset', () => {
    const packed = Buffer.concat([Buffer.alloc(40), id]);
    expect(hashPeerKey(5, 3, 9, packed, 40)).toBe(hashPeerKey(5, 3, 9, id, 0));
  });

  it('spreads sequential ids evenly over the low bits', () => {
    const buckets = new Array<number>(64).fill(0);
    const key = Buffer.alloc(20);
    for (let i = 0; i < 64_000; i++) {
      key.writeUInt32LE(i, 0);
      buckets[hashPeerKey(1, 0, 1, key, 0) & 63]++;
    }
    expect(Math.min(...buckets)).toBeGreaterThan(800);
    expect(Math.max(...buckets)).toBeLessThan(1200);
  });
});
