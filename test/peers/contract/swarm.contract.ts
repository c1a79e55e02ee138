import {
  announce,
  newInfoHash,
  peerIdOf,
  portOf,
  returnedPorts,
  sorted,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';

/** Membership, counts and peer selection (CONTRACT §2). */
export function describeSwarmContract(ctx: ContractContext): void {
  describe('swarm membership and counts', () => {
    it('counts the announcer itself, as a leecher or a seeder', async () => {
      const ih = newInfoHash();
      const first = await announce(ctx.store, { infoHash: ih, userId: 1, left: 100, now: ctx.t0 });
      expect([first.complete, first.incomplete]).toEqual([0, 1]);
      const second = await announce(ctx.store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 + 1 });
      expect([second.complete, second.incomplete]).toEqual([1, 1]);
    });

    it('identifies a peer by (user, peer id): a re-announce from a new address updates it, not adds one', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, ip: '10.0.0.1', port: 1111, now: ctx.t0 });
      const again = await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        left: 5,
        ip: '10.0.0.2',
        port: 2222,
        now: ctx.t0 + 1000,
      });
      expect([again.complete, again.incomplete]).toEqual([0, 1]);
      const peers = await ctx.store.swarmPeers(ih, ctx.t0 + 1000);
      expect(peers).toHaveLength(1);
      expect(peers[0]).toMatchObject({ ip: '10.0.0.2', port: 2222 });

      const seen = await announce(ctx.store, { infoHash: ih, userId: 2, left: 5, now: ctx.t0 + 2000 });
      expect(seen.peers.compact4).toEqual(Buffer.from([10, 0, 0, 2, 2222 >> 8, 2222 & 255]));
    });

    it('treats the same peer id under two users as two peers', async () => {
      const ih = newInfoHash();
      const shared = peerIdOf(9, 9);
      await announce(ctx.store, { infoHash: ih, userId: 1, peerId: shared, left: 5, now: ctx.t0 });
      const r = await announce(ctx.store, { infoHash: ih, userId: 2, peerId: shared, left: 5, now: ctx.t0 + 1 });
      expect([r.complete, r.incomplete]).toEqual([0, 2]);
    });

    it('moves a leecher that finishes to the seeders', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, event: 'started', now: ctx.t0 });
      const done = await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, event: 'completed', now: ctx.t0 + 1 });
      expect([done.complete, done.incomplete]).toEqual([1, 0]);
      expect(await ctx.store.userTorrents(1, ctx.t0 + 1)).toEqual({ seeding: [ih], leeching: [] });
    });

    it('removes a stopped peer, leaves it out of the counts and gives it no peers', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 2, left: 5, now: ctx.t0 + 1 });
      const stopped = await announce(ctx.store, {
        infoHash: ih,
        userId: 2,
        left: 5,
        event: 'stopped',
        now: ctx.t0 + 2,
      });
      expect([stopped.complete, stopped.incomplete]).toEqual([1, 0]);
      expect(stopped.peers.compact4.length + stopped.peers.compact6.length).toBe(0);
      expect((await ctx.store.swarmPeers(ih, ctx.t0 + 2)).map((p) => p.userId)).toEqual([1]);
    });

    it('does not add a peer that announces stopped without having started', async () => {
      const ih = newInfoHash();
      const r = await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, event: 'stopped', now: ctx.t0 });
      expect([r.complete, r.incomplete]).toEqual([0, 0]);
      expect(await ctx.store.swarmPeers(ih, ctx.t0)).toEqual([]);
    });
  });

  describe('peer selection', () => {
    it("never returns any of the announcing user's own peers", async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, n: 0, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 2, n: 0, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, n: 2, left: 7, now: ctx.t0 });
      const r = await announce(ctx.store, { infoHash: ih, userId: 1, n: 1, left: 5, now: ctx.t0 + 1 });
      expect(returnedPorts(r)).toEqual([portOf(2)]);
      expect([r.complete, r.incomplete]).toEqual([2, 2]);
    });

    it('gives a seeder leechers only', async () => {
      const ih = newInfoHash();
      for (let u = 2; u <= 4; u++) {
        await announce(ctx.store, { infoHash: ih, userId: u, left: 0, now: ctx.t0 });
      }
      for (let u = 5; u <= 6; u++) {
        await announce(ctx.store, { infoHash: ih, userId: u, left: 9, now: ctx.t0 });
      }
      const r = await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 + 1 });
      expect(sorted(returnedPorts(r))).toEqual([portOf(5), portOf(6)]);
    });

    it('gives a leecher seeders first, then leechers, at most numwant', async () => {
      const ih = newInfoHash();
      const seeders = [2, 3, 4].map((u) => portOf(u));
      const leechers = [5, 6, 7, 8, 9].map((u) => portOf(u));
      for (let u = 2; u <= 9; u++) {
        await announce(ctx.store, { infoHash: ih, userId: u, left: u <= 4 ? 0 : 9, now: ctx.t0 });
      }
      const r = await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, numwant: 5, now: ctx.t0 + 1 });
      const ports = returnedPorts(r);
      expect(ports).toHaveLength(5);
      expect(sorted(ports.slice(0, 3))).toEqual(seeders);
      expect(ports.slice(3).every((p) => leechers.includes(p))).toBe(true);
      expect(new Set(ports).size).toBe(5);
    });

    it('returns no peers when numwant is 0, but still counts', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      const r = await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, numwant: 0, now: ctx.t0 + 1 });
      expect(returnedPorts(r)).toEqual([]);
      expect([r.complete, r.incomplete]).toEqual([1, 1]);
    });

    it('packs IPv4 and IPv6 peers apart, with peer ids in the same order only when asked', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 2, ip: '192.0.2.7', port: 6881, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 3, ip: '198.51.100.9', port: 6882, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 4, ip: '2001:db8::4', port: 6883, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 5, ip: '2001:db8:1::5', port: 6884, now: ctx.t0 });

      const withIds = await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        left: 5,
        wantPeerIds: true,
        now: ctx.t0 + 1,
      });
      const { compact4, compact6, ids4, ids6 } = withIds.peers;
      expect(compact4).toHaveLength(12);
      expect(compact6).toHaveLength(36);
      expect(ids4).toHaveLength(40);
      expect(ids6).toHaveLength(40);
      const byPort4 = new Map([
        [6881, { ip: [192, 0, 2, 7], id: peerIdOf(2) }],
        [6882, { ip: [198, 51, 100, 9], id: peerIdOf(3) }],
      ]);
      for (let i = 0; i < 2; i++) {
        const want = byPort4.get(compact4.readUInt16BE(i * 6 + 4));
        expect(want).toBeDefined();
        expect([...compact4.subarray(i * 6, i * 6 + 4)]).toEqual(want?.ip);
        expect(ids4?.subarray(i * 20, i * 20 + 20)).toEqual(want?.id);
      }
      const byPort6 = new Map([
        [6883, { ip: '20010db8000000000000000000000004', id: peerIdOf(4) }],
        [6884, { ip: '20010db8000100000000000000000005', id: peerIdOf(5) }],
      ]);
      for (let i = 0; i < 2; i++) {
        const want = byPort6.get(compact6.readUInt16BE(i * 18 + 16));
        expect(want).toBeDefined();
        expect(compact6.subarray(i * 18, i * 18 + 16).toString('hex')).toBe(want?.ip);
        expect(ids6?.subarray(i * 20, i * 20 + 20)).toEqual(want?.id);
      }

      const withoutIds = await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, now: ctx.t0 + 2 });
      expect(withoutIds.peers.ids4).toBeNull();
      expect(withoutIds.peers.ids6).toBeNull();
      expect(withoutIds.peers.compact4).toHaveLength(12);
      expect(withoutIds.peers.compact6).toHaveLength(36);
    });

    it('samples at random, so a leecher in a big swarm does not always get the same peers', async () => {
      const ih = newInfoHash();
      for (let u = 2; u < 122; u++) {
        await announce(ctx.store, { infoHash: ih, userId: u, left: 0, now: ctx.t0 });
      }
      const seen = new Set<number>();
      const firsts = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const r = await announce(ctx.store, { infoHash: ih, userId: 1, left: 5, numwant: 10, now: ctx.t0 + 1 + i });
        const ports = returnedPorts(r);
        expect(ports).toHaveLength(10);
        expect(new Set(ports).size).toBe(10);
        ports.forEach((p) => seen.add(p));
        firsts.add(sorted(ports).join(','));
      }
      // 8 draws of 10 out of 120: the chance of fewer than 30 distinct peers at random is negligible.
      expect(seen.size).toBeGreaterThanOrEqual(30);
      expect(firsts.size).toBeGreaterThan(1);
    });
  });
}
