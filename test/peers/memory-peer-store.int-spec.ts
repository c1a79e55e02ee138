import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import { describePeerStoreContract } from 'test/peers/peer-store.contract';

const peerTtlSeconds = 2700;

describePeerStoreContract(
  'memory',
  () => Promise.resolve({ store: new MemoryPeerStore({ peerTtlSeconds }), cleanup: () => Promise.resolve() }),
  { peerTtlSeconds },
);
