import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import { describePeerStoreContract } from 'test/peers/peer-store.contract';

const peerTtlSeconds = 2700;

describePeerStoreContract(
  'memory',
  (rules) =>
    Promise.resolve({ store: new MemoryPeerStore({ peerTtlSeconds, rules }), cleanup: () => Promise.resolve() }),
  { peerTtlSeconds },
);
