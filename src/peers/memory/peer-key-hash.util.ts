/**
 * 32-bit hash of a peer's identity within the store: (swarm, user, 20-byte peer id). Murmur3-style mixing with a
 * per-process seed, because peer ids are chosen by clients and a fixed hash would let them aim for collisions.
 */
export function hashPeerKey(seed: number, swarm: number, userId: number, peerId: Uint8Array, offset: number): number {
  let h = seed | 0;
  h = mix(h, swarm);
  h = mix(h, userId | 0);
  h = mix(h, Math.floor(userId / 0x100000000) | 0);
  for (let i = offset; i < offset + 20; i += 4) {
    h = mix(h, peerId[i] | (peerId[i + 1] << 8) | (peerId[i + 2] << 16) | (peerId[i + 3] << 24));
  }
  return finalize(h ^ 28);
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
