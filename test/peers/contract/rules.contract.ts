import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';

/** The rules a store enforces in its atomic step (issue 15): each one alike on every store. */
export function describeRulesContract(ctx: ContractContext): void {
  describe('MAX_PEERS_PER_USER_TORRENT', () => {
    it('refuses a new peer id beyond the limit and changes nothing', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 3 });
      const ih = newInfoHash();
      for (const n of [0, 1, 2]) {
        expect((await announce(store, { infoHash: ih, userId: 1, n, left: 5, now: ctx.t0 })).refused).toBeUndefined();
      }
      const fourth = await announce(store, { infoHash: ih, userId: 1, n: 3, left: 0, uploaded: 9, now: ctx.t0 + 1 });
      expect(fourth.refused).toEqual({ rule: 'peer-limit', limit: 3 });
      const other = await announce(store, { infoHash: ih, userId: 2, left: 5, now: ctx.t0 + 2 });
      expect([other.complete, other.incomplete]).toEqual([0, 4]);
      expect((await store.swarmPeers(ih, ctx.t0 + 2)).filter((p) => p.userId === 1)).toHaveLength(3);
      // The refused announce wrote no accounting: user 1's row is the three admitted announces'.
      expect((await drainLedger(store)).get(ledgerKey(1, ih))?.lastAnnounce).toBe(ctx.t0);
    });

    it('lets re-announces and stopped of existing peers through at the limit, and a new one after a stop', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 2 });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 1, n: 0, left: 5, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, n: 1, left: 5, now: ctx.t0 });
      expect(
        (await announce(store, { infoHash: ih, userId: 1, n: 1, left: 0, now: ctx.t0 + 1 })).refused,
      ).toBeUndefined();
      expect(
        (await announce(store, { infoHash: ih, userId: 1, n: 2, left: 5, now: ctx.t0 + 1 })).refused,
      ).toBeDefined();
      const stopped = await announce(store, { infoHash: ih, userId: 1, n: 0, event: 'stopped', now: ctx.t0 + 2 });
      expect(stopped.refused).toBeUndefined();
      // A stopped announce of a peer the tracker does not know is never refused either.
      expect(
        (await announce(store, { infoHash: ih, userId: 1, n: 7, event: 'stopped', now: ctx.t0 + 2 })).refused,
      ).toBeUndefined();
      const third = await announce(store, { infoHash: ih, userId: 1, n: 2, left: 5, now: ctx.t0 + 3 });
      expect(third.refused).toBeUndefined();
      expect([third.complete, third.incomplete]).toEqual([1, 1]);
    });

    it('counts live peers only, per torrent and per user', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 1 });
      const [ih, other] = [newInfoHash(), newInfoHash()];
      await announce(store, { infoHash: ih, userId: 1, n: 0, now: ctx.t0 });
      expect((await announce(store, { infoHash: other, userId: 1, n: 1, now: ctx.t0 })).refused).toBeUndefined();
      expect((await announce(store, { infoHash: ih, userId: 2, n: 1, now: ctx.t0 })).refused).toBeUndefined();
      expect((await announce(store, { infoHash: ih, userId: 1, n: 1, now: ctx.t0 + 1 })).refused).toBeDefined();
      // Once the first peer has been silent for longer than the TTL, it no longer counts.
      const later = ctx.t0 + ctx.ttlMs + 1;
      expect((await announce(store, { infoHash: ih, userId: 1, n: 1, now: later })).refused).toBeUndefined();
      // And the expired peer coming back is a new peer again, over the limit.
      expect((await announce(store, { infoHash: ih, userId: 1, n: 0, now: later + 1 })).refused).toBeDefined();
    });

    it('has no limit at 0', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 0 });
      const ih = newInfoHash();
      for (let n = 0; n < 8; n++) {
        expect((await announce(store, { infoHash: ih, userId: 1, n, left: 1, now: ctx.t0 })).refused).toBeUndefined();
      }
      expect((await store.swarmPeers(ih, ctx.t0)).length).toBe(8);
    });

    it('admits exactly the limit when new peers of one user race', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 3 });
      const ih = newInfoHash();
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, n) => announce(store, { infoHash: ih, userId: 1, n, left: 1, now: ctx.t0 })),
      );
      expect(results.filter((r) => r.refused === undefined)).toHaveLength(3);
      expect(await store.swarmPeers(ih, ctx.t0)).toHaveLength(3);
    });
  });
}
