/**
 * Memory per peer of the in-memory PeerStore. Fills it with N peers over T torrents and U users through the real
 * announce path (10% IPv6, numwant 50, the ledger flushed as the tracker would) and compares memory after full
 * GCs. A warm-up of the same traffic over a few thousand peers runs first, so that V8's heap has grown to its
 * working size under announce load before the baseline: that reserve (~25 MiB) is the same for ten peers or ten
 * million, so it is not a per-peer cost.
 * Then re-announces the existing peers to time the steady-state announce path.
 *
 *   node --expose-gc scripts/bench/memory-per-peer.js [peers=1000000] [torrents=5000] [users=50000] [numwant=50]
 */
import { randomBytes } from 'node:crypto';
import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import type { AnnounceEvent, PeerAnnounce } from 'src/peers/peer-store.types';

const [peers = 1_000_000, torrents = 5000, users = 50_000, numwant = 50] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) {
    gc?.();
  }
  return process.memoryUsage();
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const perPeer = (bytes: number) => `${(bytes / peers).toFixed(1)} bytes/peer`;

/** Sends `count` announces for peers 0, 1, … (modulo `population`); returns announces per second. */
async function announceAll(
  store: MemoryPeerStore,
  count: number,
  now: number,
  event: AnnounceEvent,
  population = count,
): Promise<number> {
  const infoHashes = Array.from({ length: torrents }, (_, i) => i.toString(16).padStart(40, '0'));
  // One scratch id and address rewritten per announce: the store must copy them, and the bench keeps nothing.
  const peerId = randomBytes(20);
  const ip4 = Buffer.alloc(4);
  const ip6 = Buffer.from('20010db8000000000000000000000000', 'hex');
  const started = process.hrtime.bigint();
  for (let n = 0; n < count; n++) {
    const i = n % population;
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
      uploaded: i * 1000 + now,
      downloaded: i * 10 + now,
      left: i % 3 === 0 ? 0 : 1 << 20,
      event,
      numwant,
      wantPeerIds: false,
      now: now + Math.floor(n / 1000),
      uploadFactor: 1,
      downloadFactor: 1,
    };
    await store.announce(announce);
    if (n % 10000 === 9999) {
      await drain(store);
    }
  }
  await drain(store);
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function drain(store: MemoryPeerStore): Promise<void> {
  for (let batch = await store.claimPending(5000); batch; batch = await store.claimPending(5000)) {
    await store.ackPending(batch.id);
  }
}

async function main(): Promise<void> {
  if (!gc) {
    throw new Error('run with node --expose-gc');
  }
  const t0 = Date.now();
  // Warm-up: the same announce traffic over a few thousand peers, so the store itself stays small.
  await announceAll(new MemoryPeerStore({ peerTtlSeconds: 2700 }), 300_000, t0, 'none', 5000);
  const before = settle();

  const store = new MemoryPeerStore({ peerTtlSeconds: 2700 });
  const fillRate = await announceAll(store, peers, t0, 'started');
  const after = settle();

  const totals = await store.totals(t0 + peers / 1000);
  const data = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  const rss = after.rss - before.rss;
  const reserve = after.heapTotal - after.heapUsed - (before.heapTotal - before.heapUsed);
  console.log(`${totals.peers} peers (${totals.seeders} seeders) in ${torrents} torrents, ${users} users`);
  console.log(`heapUsed + arrayBuffers: +${mib(data)} = ${perPeer(data)}`);
  console.log(
    `rss: +${mib(rss)} = ${perPeer(rss)} (V8 heap reserve +${mib(reserve)}, malloc and other +${mib(rss - data - reserve)})`,
  );
  const gcStarted = process.hrtime.bigint();
  gc();
  console.log(`full GC with the store loaded: ${(Number(process.hrtime.bigint() - gcStarted) / 1e6).toFixed(1)} ms`);
  console.log(`fill: ${Math.round(fillRate)} announces/s; re-announce (numwant ${numwant}):`);
  const reannounceRate = await announceAll(store, peers, t0 + 1_800_000, 'none');
  console.log(`  ${Math.round(reannounceRate)} announces/s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
