/**
 * Memory per peer of the in-memory PeerStore: fills it with N peers over T torrents and U users through the real
 * announce path (10% IPv6, numwant 50, ledger flushed as the tracker would), then compares memory after full GCs.
 * Run with `node --expose-gc scripts/bench/memory-per-peer.js [peers=1000000] [torrents=5000] [users=50000] [numwant=50]`.
 */
import { randomBytes } from 'node:crypto';
import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import type { PeerAnnounce } from 'src/peers/peer-store.types';

const [peers = 1_000_000, torrents = 5000, users = 50_000, numwant = 50] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  throw new Error('run with node --expose-gc');
}

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) {
    gc?.();
  }
  return process.memoryUsage();
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function main(): Promise<void> {
  const infoHashes = Array.from({ length: torrents }, () => randomBytes(20).toString('hex'));
  // One scratch id rewritten per announce: the store must copy it, and the bench holds no per-peer memory.
  const peerId = randomBytes(20);
  const before = settle();

  const store = new MemoryPeerStore({ peerTtlSeconds: 2700 });
  const t0 = Date.now();
  const ip4 = Buffer.alloc(4);
  const ip6 = Buffer.from('20010db8000000000000000000000000', 'hex');
  const started = process.hrtime.bigint();
  for (let i = 0; i < peers; i++) {
    peerId.writeUInt32LE(i, 0);
    const v6 = i % 10 === 0;
    const ipBytes = v6 ? ip6 : ip4;
    ipBytes.writeUInt32BE((0x0a000000 + i) >>> 0, v6 ? 12 : 0);
    const announce: PeerAnnounce = {
      infoHash: infoHashes[i % torrents],
      userId: 1 + ((i * 7919) % users),
      peerId,
      ip: v6 ? '2001:db8::1' : '10.0.0.1',
      ipBytes,
      port: 1024 + (i % 60000),
      uploaded: i * 1000,
      downloaded: i * 10,
      left: i % 3 === 0 ? 0 : 1 << 20,
      event: 'started',
      numwant,
      wantPeerIds: false,
      now: t0 + Math.floor(i / 1000),
      uploadFactor: 1,
      downloadFactor: 1,
    };
    await store.announce(announce);
    if (i % 10000 === 9999) {
      await drain(store);
    }
  }
  await drain(store);
  const fillSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const after = settle();
  const totals = await store.totals(t0 + peers / 1000);
  const heap = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  const rss = after.rss - before.rss;
  console.log(`peers ${totals.peers} (seeders ${totals.seeders}) in ${torrents} torrents, ${users} users`);
  console.log(`fill: ${fillSeconds.toFixed(1)} s, ${Math.round(peers / fillSeconds)} announces/s (numwant ${numwant})`);
  console.log(`heapUsed+arrayBuffers: +${mb(heap)} = ${(heap / totals.peers).toFixed(1)} bytes/peer`);
  console.log(`rss: +${mb(rss)} = ${(rss / totals.peers).toFixed(1)} bytes/peer`);
}

async function drain(store: MemoryPeerStore): Promise<void> {
  for (let batch = await store.claimPending(5000); batch; batch = await store.claimPending(5000)) {
    await store.ackPending(batch.id);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
