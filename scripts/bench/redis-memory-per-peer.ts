/**
 * Redis memory per peer of the RedisPeerStore, and the Redis CPU of its announce script: fills N peers over T torrents
 * and U users through the real announce path (30% seeders, 10% IPv6, numwant 50, 64 announces in flight), drains the
 * ledger as the tracker would, and reads INFO memory / INFO commandstats around each phase. Then re-announces R
 * existing peers to measure the steady-state script cost.
 * Use a Redis of its own (used_memory is global):
 *   redis-server --port 16390 --save '' --appendonly no --daemonize yes
 *   REDIS_URL=redis://127.0.0.1:16390 node scripts/bench/redis-memory-per-peer.js [peers] [torrents] [users] [reannounces]
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { PeerAnnounce } from 'src/peers/peer-store.types';
import { RedisPeerStore } from 'src/peers/redis/redis-peer-store';
import { scanKeys } from 'src/peers/redis/redis-scan.util';

const [peers = 1_000_000, torrents = 5000, users = 50_000, reannounces = 200_000] = process.argv.slice(2).map(Number);
const IN_FLIGHT = 64;
const TTL_SECONDS = 2700;

function info(section: string, text: string, field: string): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  if (!match) {
    throw new Error(`no ${field} in INFO ${section}`);
  }
  return Number(match[1]);
}

async function usedMemory(redis: Redis): Promise<number> {
  return info('memory', await redis.info('memory'), 'used_memory');
}

/** Calls and microseconds of EVALSHA so far. */
async function evalshaStats(redis: Redis): Promise<{ calls: number; usec: number }> {
  const match = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await redis.info('commandstats'));
  return match ? { calls: Number(match[1]), usec: Number(match[2]) } : { calls: 0, usec: 0 };
}

/** The i-th peer of the fill, derived from i alone so that re-announces find the same identity. */
function peerOf(i: number, infoHashes: string[], now: number, event: PeerAnnounce['event']): PeerAnnounce {
  const ipv6 = i % 10 === 9;
  const ipBytes = ipv6 ? Buffer.alloc(16) : Buffer.alloc(4);
  ipBytes.writeUInt32BE(ipv6 ? 0x20010db8 : 0x0a000000 + (i & 0xffffff), 0);
  if (ipv6) {
    ipBytes.writeUInt32BE(i, 12);
  }
  const peerId = Buffer.alloc(20);
  peerId.write('-qB4650-', 'latin1');
  peerId.writeUInt32BE(i, 16);
  return {
    infoHash: infoHashes[i % infoHashes.length],
    // A torrent's peers belong to different users, and every user has about peers/users of them.
    userId: 1 + (((i % torrents) * 31 + Math.floor(i / torrents)) % users),
    peerId,
    ip: ipv6 ? `2001:db8::${i.toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    ipBytes,
    port: 1024 + (i % 60000),
    uploaded: 1_000_000 + i,
    downloaded: 2_000_000 + i,
    left: i % 10 < 3 ? 0 : 1_000_000,
    event,
    numwant: 50,
    wantPeerIds: false,
    now,
    uploadFactor: 1,
    downloadFactor: 1,
  };
}

/** MEMORY USAGE summed by kind of key (the suffix after the swarm tag, or the user index), in bytes per peer. */
async function breakdown(redis: Redis, prefix: string): Promise<Record<string, string>> {
  const sums = new Map<string, number>();
  await scanKeys(redis, `${prefix}*`, async (keys) => {
    const pipeline = redis.pipeline();
    keys.forEach((key) => pipeline.memory('USAGE', key, 'SAMPLES', 0));
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const kind = /}:(\w)/.exec(key)?.[1] ?? (key.startsWith(`${prefix}u:`) ? 'user index' : key);
      sums.set(kind, (sums.get(kind) ?? 0) + Number(sizes[i][1]));
    });
  });
  const names: Record<string, string> = { p: 'peer records', s: 'seeders', l: 'leechers', g: 'ledger' };
  return Object.fromEntries([...sums].map(([kind, bytes]) => [names[kind] ?? kind, (bytes / peers).toFixed(1)]));
}

async function run(count: number, announceOne: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        await announceOne(next++);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: false });
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const store = new RedisPeerStore(redis, { peerTtlSeconds: TTL_SECONDS, keyPrefix: prefix });
  const infoHashes = Array.from({ length: torrents }, () => randomBytes(20).toString('hex'));
  const now = Date.now();
  try {
    const before = await usedMemory(redis);
    const fillStats = await evalshaStats(redis);
    const fillSeconds = await run(peers, (i) => store.announce(peerOf(i, infoHashes, now, 'started')));
    const filled = await evalshaStats(redis);
    const withLedger = await usedMemory(redis);
    let drained = 0;
    for (let batch = await store.claimPending(5000); batch; batch = await store.claimPending(5000)) {
      drained += batch.accounts.length;
      await store.ackPending(batch.id);
    }
    const after = await usedMemory(redis);
    const perKind = await breakdown(redis, prefix);
    const drainedStats = await evalshaStats(redis);

    const steadySeconds = await run(reannounces, (i) =>
      store.announce(peerOf((i * 7919) % peers, infoHashes, now + 60_000, 'none')),
    );
    const steady = await evalshaStats(redis);
    const totals = await store.totals(now + 60_000);

    const perPeer = (bytes: number) => (bytes / peers).toFixed(1);
    const usPerCall = (a: { calls: number; usec: number }, b: { calls: number; usec: number }) =>
      ((b.usec - a.usec) / Math.max(1, b.calls - a.calls)).toFixed(2);
    console.log(
      JSON.stringify(
        {
          peers,
          torrents,
          users,
          livePeers: totals.peers,
          usedMemoryDeltaWithLedger: withLedger - before,
          bytesPerPeerWithLedger: perPeer(withLedger - before),
          ledgerAccountsDrained: drained,
          usedMemoryDelta: after - before,
          bytesPerPeer: perPeer(after - before),
          bytesPerPeerByKind: perKind,
          fill: { seconds: fillSeconds.toFixed(1), perSecond: Math.round(peers / fillSeconds) },
          evalshaUsPerCallFill: usPerCall(fillStats, filled),
          steady: { announces: reannounces, perSecond: Math.round(reannounces / steadySeconds) },
          evalshaUsPerCallSteady: usPerCall(drainedStats, steady),
        },
        null,
        2,
      ),
    );
  } finally {
    await scanKeys(redis, `${prefix}*`, async (keys) => {
      await redis.del(...keys);
    });
    await redis.quit();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
