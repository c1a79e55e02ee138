import {
  announce,
  newInfoHash,
  peerIdOf,
  portOf,
  sorted,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';

/** What the admin API and scrape read (CONTRACT §3, §5), removals, and expiry of silent peers. */
export function describeAdminViewsContract(ctx: ContractContext): void {
  describe('admin views', () => {
    it('lists the live peers of a swarm with what they last reported', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        uploaded: 11,
        downloaded: 22,
        left: 33,
        ip: '10.0.0.1',
        now: ctx.t0,
      });
      await announce(ctx.store, { infoHash: ih, userId: 2, left: 0, ip: '2001:db8::2', port: 51413, now: ctx.t0 + 5 });
      const peers = await ctx.store.swarmPeers(ih, ctx.t0 + 5);
      expect([...peers].sort((x, y) => x.userId - y.userId)).toEqual([
        {
          userId: 1,
          peerId: peerIdOf(1),
          ip: '10.0.0.1',
          port: portOf(1),
          endpoints: [{ ip: '10.0.0.1', port: portOf(1), family: 'ipv4', lastSeen: ctx.t0 }],
          seeder: false,
          uploaded: 11,
          downloaded: 22,
          left: 33,
          lastAnnounce: ctx.t0,
        },
        {
          userId: 2,
          peerId: peerIdOf(2),
          ip: '2001:db8::2',
          port: 51413,
          endpoints: [{ ip: '2001:db8::2', port: 51413, family: 'ipv6', lastSeen: ctx.t0 + 5 }],
          seeder: true,
          uploaded: 0,
          downloaded: 0,
          left: 0,
          lastAnnounce: ctx.t0 + 5,
        },
      ]);
      expect(await ctx.store.swarmPeers(newInfoHash(), ctx.t0)).toEqual([]);
    });

    it('lists the distinct users seeding and leeching a swarm', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, n: 0, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, n: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 3, left: 5, now: ctx.t0 });
      const users = await ctx.store.swarmUsers(ih, ctx.t0);
      expect(sorted(users.seeders)).toEqual([1, 2]);
      expect(sorted(users.leechers)).toEqual([3]);
    });

    it('lists the torrents a user seeds and leeches', async () => {
      const [a, b, c] = [newInfoHash(), newInfoHash(), newInfoHash()];
      await announce(ctx.store, { infoHash: a, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: b, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: c, userId: 1, left: 9, now: ctx.t0 });
      await announce(ctx.store, { infoHash: c, userId: 2, left: 0, now: ctx.t0 });
      const mine = await ctx.store.userTorrents(1, ctx.t0);
      expect([...mine.seeding].sort()).toEqual([a, b].sort());
      expect(mine.leeching).toEqual([c]);
      expect(await ctx.store.userTorrents(99, ctx.t0)).toEqual({ seeding: [], leeching: [] });
    });

    it('counts every live peer in the totals', async () => {
      await announce(ctx.store, { infoHash: newInfoHash(), userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: newInfoHash(), userId: 1, left: 4, now: ctx.t0 });
      await announce(ctx.store, { infoHash: newInfoHash(), userId: 2, left: 4, now: ctx.t0 });
      expect(await ctx.store.totals(ctx.t0)).toEqual({ peers: 3, seeders: 1, leechers: 2 });
    });

    it('scrapes the requested swarms and leaves unknown ones out', async () => {
      const [a, b, unknown] = [newInfoHash(), newInfoHash(), newInfoHash()];
      await announce(ctx.store, { infoHash: a, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 2, left: 3, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 3, left: 3, now: ctx.t0 });
      await announce(ctx.store, { infoHash: b, userId: 1, left: 0, now: ctx.t0 });
      const scraped = await ctx.store.scrape([a, b, unknown]);
      expect(scraped.get(a)).toEqual({ complete: 1, incomplete: 2 });
      expect(scraped.get(b)).toEqual({ complete: 1, incomplete: 0 });
      expect(scraped.has(unknown)).toBe(false);
    });

    it('answers ping', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
    });
  });

  describe('removals', () => {
    it('drops every peer of a removed torrent at once', async () => {
      const [a, b] = [newInfoHash(), newInfoHash()];
      await announce(ctx.store, { infoHash: a, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 2, left: 3, now: ctx.t0 });
      await announce(ctx.store, { infoHash: b, userId: 1, left: 0, now: ctx.t0 });
      await ctx.store.removeTorrent(a);
      expect(await ctx.store.swarmPeers(a, ctx.t0)).toEqual([]);
      expect(await ctx.store.swarmUsers(a, ctx.t0)).toEqual({ seeders: [], leechers: [] });
      expect(await ctx.store.userTorrents(1, ctx.t0)).toEqual({ seeding: [b], leeching: [] });
      expect(await ctx.store.totals(ctx.t0)).toEqual({ peers: 1, seeders: 1, leechers: 0 });
      expect((await ctx.store.scrape([a])).get(a) ?? { complete: 0, incomplete: 0 }).toEqual({
        complete: 0,
        incomplete: 0,
      });
    });

    it('drops every peer of a removed user at once, in every swarm', async () => {
      const [a, b] = [newInfoHash(), newInfoHash()];
      await announce(ctx.store, { infoHash: a, userId: 1, n: 0, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 1, n: 1, left: 5, now: ctx.t0 });
      await announce(ctx.store, { infoHash: b, userId: 1, left: 5, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 2, left: 5, now: ctx.t0 });
      await ctx.store.removeUser(1);
      expect(await ctx.store.userTorrents(1, ctx.t0)).toEqual({ seeding: [], leeching: [] });
      expect((await ctx.store.swarmPeers(a, ctx.t0)).map((p) => p.userId)).toEqual([2]);
      expect(await ctx.store.swarmPeers(b, ctx.t0)).toEqual([]);
      expect(await ctx.store.totals(ctx.t0)).toEqual({ peers: 1, seeders: 0, leechers: 1 });
      const r = await announce(ctx.store, { infoHash: a, userId: 3, left: 5, now: ctx.t0 + 1 });
      expect([r.complete, r.incomplete]).toEqual([0, 2]);
    });
  });

  describe('expiry', () => {
    it('forgets a peer that has not announced for longer than the TTL', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 2, left: 5, now: ctx.t0 });
      const later = ctx.t0 + ctx.ttlMs + 1000;
      await announce(ctx.store, { infoHash: ih, userId: 3, left: 0, now: later - 2000 });

      expect(await ctx.store.swarmPeers(ih, later)).toHaveLength(1);
      expect(await ctx.store.swarmUsers(ih, later)).toEqual({ seeders: [3], leechers: [] });
      expect(await ctx.store.userTorrents(1, later)).toEqual({ seeding: [], leeching: [] });
      expect(await ctx.store.totals(later)).toEqual({ peers: 1, seeders: 1, leechers: 0 });

      const r = await announce(ctx.store, { infoHash: ih, userId: 4, left: 5, now: later });
      expect([r.complete, r.incomplete]).toEqual([1, 1]);
      expect(r.peers.compact4.length / 6).toBe(1);
      expect(r.peers.compact4.readUInt16BE(4)).toBe(portOf(3));
    });

    it('keeps a peer that announced within the TTL', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 });
      const r = await announce(ctx.store, { infoHash: ih, userId: 2, left: 5, now: ctx.t0 + ctx.ttlMs - 1000 });
      expect([r.complete, r.incomplete]).toEqual([1, 1]);
      expect(await ctx.store.totals(ctx.t0 + ctx.ttlMs - 1000)).toEqual({ peers: 2, seeders: 1, leechers: 1 });
    });
  });
}
