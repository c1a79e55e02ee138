'use strict';
// Redis's CPU per announce of one build's announce script alone, no HTTP and no tracker: a private redis-server,
// 2,000 swarms of 20 peers (50 users, a quarter seeders) joined first, then N regular announces of random peers in
// calls of 14 (a poll phase's batch in the bench), each passing the version it keeps of its swarm as KeptSwarms does.
// Prints redis-server's CPU and the evalsha time of INFO commandstats per announce, and the commands inside the
// scripts. For A/B of the script between two checkouts (run each a few times: the box drifts):
//   node scripts/bench/script-cost.js <checkout> <base|new> [rules] [slots]     (N=150000 by default)
// `base` is the argument layout before the announce core (79927e5: 11 numbers, 5 keys); `new` this one's, with
// `rules` the peer limit, lenient pacing (checked, never too soon) and cheat checks on, and `slots` download slots for
// every user (10,000: none refused) kept by the script as on a single Redis (its 7th key). SLOT_REFRESH_MS sets how
// often a live leecher's entry is rewritten (default 60000; 0.001 rewrites it at every announce, as before 9114f02).
// dist/ must be built.
const path = require('path');
const fs = require('fs');
const { spawn } = require('child_process');
const crypto = require('crypto');
const [dir, kind, ...flags] = process.argv.slice(2);
const rules = flags.includes('rules');
const slots = flags.includes('slots');
const SLOT_REFRESH_MS = Number(process.env.SLOT_REFRESH_MS ?? 60_000);
const dist = path.resolve(dir, 'dist/src/peers/redis');
const Redis = require(require.resolve('ioredis', { paths: [path.resolve(dir)] })).default;
const { AnnounceCommand } = require(`${dist}/announce-command.js`);
const { RedisKeys } = require(`${dist}/redis-keys.js`);
const codec = require(`${dist}/redis-peer.codec.js`);
const PORT = 6400 + Math.floor(Math.random() * 500);
const TORRENTS = 2000,
  PEERS_PER = 20,
  USERS = 50,
  N = Number(process.env.N ?? 150000),
  BATCH = 14,
  TTL = 3600_000;
function cpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
} // µs
(async () => {
  const server = spawn(
    'redis-server',
    ['--port', String(PORT), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 400));
  const client = new Redis({ port: PORT, host: '127.0.0.1' });
  const keys = new RedisKeys('sc:');
  const command = new AnnounceCommand(client, undefined);
  const hashes = Array.from({ length: TORRENTS }, () => crypto.randomBytes(20).toString('hex'));
  const peers = [];
  for (let t = 0; t < TORRENTS; t++)
    for (let p = 0; p < PEERS_PER; p++) {
      const g = t * PEERS_PER + p;
      peers.push({
        t,
        user: (g % USERS) + 1,
        id: crypto.randomBytes(20),
        ip: Buffer.from([10, (g >> 16) & 255, (g >> 8) & 255, g & 255]),
        port: 6881 + (g % 1000),
        up: 0,
        down: 0,
        left: g % 4 === 0 ? 0 : 4e9,
      });
    }
  const versions = new Map();
  function args(peer, event, now) {
    const want = 52;
    const kept = versions.get(peer.t)?.version ?? 0;
    const base = [now, peer.up, peer.down, peer.left, 1, 1, TTL, want, Math.floor(Math.random() * 2 ** 48), kept, 1e12];
    const numbers =
      kind === 'base'
        ? codec.encodeAnnounceNumbers(base)
        : codec.encodeAnnounceNumbers(
            [
              ...base,
              rules ? 3 : 0,
              rules ? 1 : 0,
              1, // MIN_INTERVAL 1 ms, no duplicate window: pacing is checked and never fires
              0,
              rules ? 1 : 0,
              rules ? 1e9 : 0,
              0,
              slots ? 1 : 0,
              versions.get(peer.t)?.incomplete ?? -1, // the kept swarm's live leechers, as KeptSwarms passes them
            ],
            slots ? { infoHash: hashes[peer.t], slots: 10_000, refreshMs: SLOT_REFRESH_MS } : undefined,
          );
    const a = { member: codec.encodeMember(peer.user, peer.id, peer.ip, peer.port), ip: `10.0.0.1`, numbers, event };
    if (kind !== 'base') a.leeching = slots ? keys.leeching(peer.user) : '';
    return a;
  }
  async function run(list, event) {
    const now = Date.now();
    const replies = await Promise.all(
      list.map((peer) => command.run(keys.swarm(hashes[peer.t]), args(peer, event, now))),
    );
    replies.forEach((reply, i) => {
      // A reply of -1 counts says the kept members are current: kept as they are, as KeptSwarms does.
      if (reply.version > 0 && reply.incomplete >= 0) {
        versions.set(list[i].t, { version: reply.version, incomplete: reply.incomplete });
      }
    });
  }
  for (let i = 0; i < peers.length; i += BATCH) await run(peers.slice(i, i + BATCH), 's');
  await client.config('RESETSTAT');
  const pid = server.pid;
  const c0 = cpu(pid);
  const n0 = process.cpuUsage();
  const t0 = Date.now();
  for (let i = 0; i < N; i += BATCH) {
    const list = [];
    for (let j = 0; j < BATCH; j++) {
      const p = peers[Math.floor(Math.random() * peers.length)];
      p.up += Math.floor(Math.random() * 4e6);
      if (p.left > 0) {
        const d = Math.floor(Math.random() * 4e6);
        p.down += d;
        p.left = Math.max(p.left - d, 1);
      }
      list.push(p);
    }
    await run(list, 'n');
  }
  const c1 = cpu(pid);
  const n1 = process.cpuUsage(n0);
  const stats = await client.info('commandstats');
  const ev = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
  console.log(
    `${kind}${rules ? '+rules' : ''}${slots ? '+slots' : ''}: redis ${((c1 - c0) / N).toFixed(2)} µs/announce, evalsha usec ${(Number(ev[2]) / N).toFixed(2)} µs/announce, node ${((n1.user + n1.system) / N).toFixed(2)} µs, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  console.log(
    stats
      .split('\n')
      .filter((l) => l.startsWith('cmdstat_'))
      .map((l) => l.replace(/,rejected.*$/, ''))
      .join('\n'),
  );
  client.disconnect();
  server.kill();
})();
