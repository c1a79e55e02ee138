import { MemoryPeerStore } from 'src/peers/memory/memory-peer-store';
import { PendingLedgerFullError, type AnnounceEvent, type PeerAnnounce } from 'src/peers/peer-store.types';

interface ModelPeer {
  infoHash: string;
  userId: number;
  port: number;
  seeder: boolean;
  uploaded: number;
  last: number;
}

const TTL_SECONDS = 100;
const EVENTS: AnnounceEvent[] = ['none', 'none', 'none', 'started', 'completed', 'stopped', 'paused'];

/**
 * Random announces, removals and clock jumps against a naive model of the same rules: checks that the indexes,
 * lists and expiry queue stay in step through churn the contract suite does not reach.
 */
describe('MemoryPeerStore under random churn', () => {
  let seed = 99;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };

  it('agrees with a naive model on counts, views, samples and credited bytes', async () => {
    const store = new MemoryPeerStore({ peerTtlSeconds: TTL_SECONDS });
    const model = new Map<string, ModelPeer>();
    const hashes = ['a', 'b', 'c', 'd'].map((c) => c.repeat(40));
    let now = 1_700_000_000_000;
    let expectedUploaded = 0;

    const live = () => [...model.values()].filter((p) => p.last >= now - TTL_SECONDS * 1000);
    const expireModel = () => {
      for (const [key, p] of model) {
        if (p.last < now - TTL_SECONDS * 1000) {
          model.delete(key);
        }
      }
    };

    for (let step = 0; step < 6000; step++) {
      now += random(10) === 0 ? TTL_SECONDS * 1000 + random(5000) : random(8000);
      const op = random(100);
      if (op === 0) {
        const userId = 1 + random(8);
        await store.removeUser(userId);
        [...model].filter(([, p]) => p.userId === userId).forEach(([k]) => model.delete(k));
        continue;
      }
      if (op === 1) {
        const infoHash = hashes[random(hashes.length)];
        await store.removeTorrent(infoHash);
        [...model].filter(([, p]) => p.infoHash === infoHash).forEach(([k]) => model.delete(k));
        continue;
      }
      expireModel();
      const infoHash = hashes[random(hashes.length)];
      const userId = 1 + random(8);
      const n = random(3);
      const key = `${infoHash}/${userId}/${n}`;
      const event = EVENTS[random(EVENTS.length)];
      const previous = model.get(key);
      const uploaded = previous && random(8) > 0 ? previous.uploaded + random(1000) : random(1000);
      const seeder = random(3) === 0;
      const a: PeerAnnounce = {
        infoHash,
        userId,
        peerId: Buffer.from(`-XX0001-${String(userId).padStart(6, '0')}${String(n).padStart(6, '0')}`),
        ip: n === 2 ? '2001:db8::1' : '10.0.0.1',
        ipBytes: n === 2 ? Buffer.from('20010db8000000000000000000000001', 'hex') : Buffer.from([10, 0, 0, 1]),
        port: 1000 + userId * 10 + n,
        uploaded,
        downloaded: 0,
        left: seeder ? 0 : 5,
        event,
        numwant: 1 + random(6),
        wantPeerIds: false,
        now,
        uploadFactor: 1,
        downloadFactor: 1,
      };
      if (previous && event !== 'started' && uploaded >= previous.uploaded) {
        expectedUploaded += uploaded - previous.uploaded;
      }
      if (event === 'stopped') {
        model.delete(key);
      } else {
        model.set(key, { infoHash, userId, port: a.port, seeder, uploaded, last: now });
      }

      const result = await store.announce(a);
      const swarm = live().filter((p) => p.infoHash === infoHash);
      expect([result.complete, result.incomplete]).toEqual([
        swarm.filter((p) => p.seeder).length,
        swarm.filter((p) => !p.seeder).length,
      ]);
      const ports = [] as number[];
      for (let i = 0; i < result.peers.compact4.length; i += 6) {
        ports.push(result.peers.compact4.readUInt16BE(i + 4));
      }
      for (let i = 0; i < result.peers.compact6.length; i += 18) {
        ports.push(result.peers.compact6.readUInt16BE(i + 16));
      }
      const eligible = swarm.filter((p) => p.userId !== userId && !(seeder && p.seeder));
      expect(ports.length).toBe(event === 'stopped' ? 0 : Math.min(a.numwant, eligible.length));
      expect(new Set(ports).size).toBe(ports.length);
      for (const port of ports) {
        expect(eligible.map((p) => p.port)).toContain(port);
      }

      if (step % 50 === 0) {
        const all = live();
        expect(await store.totals(now)).toEqual({
          peers: all.length,
          seeders: all.filter((p) => p.seeder).length,
          leechers: all.filter((p) => !p.seeder).length,
        });
        const views = await store.swarmPeers(infoHash, now);
        expect(views.map((v) => v.port).sort()).toEqual(swarm.map((p) => p.port).sort());
        const mine = await store.userTorrents(userId, now);
        const seeding = new Set(all.filter((p) => p.userId === userId && p.seeder).map((p) => p.infoHash));
        expect(new Set(mine.seeding)).toEqual(seeding);
      }
    }

    let credited = 0;
    for (let batch = await store.claimPending(50); batch; batch = await store.claimPending(50)) {
      credited += batch.accounts.reduce((sum, account) => sum + account.uploaded, 0);
      await store.ackPending(batch.id);
    }
    expect(credited).toBe(expectedUploaded);
  });
});

describe('MemoryPeerStore at the pending ledger bound', () => {
  const base = (userId: number, infoHash: string): PeerAnnounce => ({
    infoHash,
    userId,
    peerId: Buffer.alloc(20, userId),
    ip: '10.0.0.1',
    ipBytes: Buffer.from([10, 0, 0, 1]),
    port: 6881,
    uploaded: 0,
    downloaded: 0,
    left: 0,
    event: 'none',
    numwant: 10,
    wantPeerIds: false,
    now: Date.now(),
    uploadFactor: 1,
    downloadFactor: 1,
  });

  it('refuses an announce that would open a new pending row, changing nothing', async () => {
    const store = new MemoryPeerStore({ peerTtlSeconds: 100, maxPendingAccounts: 1 });
    await store.announce(base(1, 'a'.repeat(40)));
    await expect(store.announce(base(2, 'a'.repeat(40)))).rejects.toBeInstanceOf(PendingLedgerFullError);
    expect((await store.scrape(['a'.repeat(40)])).get('a'.repeat(40))).toEqual({ complete: 1, incomplete: 0 });
    await expect(store.announce(base(1, 'a'.repeat(40)))).resolves.toMatchObject({ complete: 1 });
  });
});
