import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  portOf,
  returnedPorts,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';

/**
 * The store's rules in observe mode (POLICY_MODES, issue 15's dry run): an announce a rule would refuse is applied as
 * an accepted one (the peer joins, its bytes are credited, it gets peers) and the result names the rule.
 */
export function describeObservedRulesContract(ctx: ContractContext): void {
  describe('store rules in observe mode', () => {
    it('peer limit: a new peer id beyond the limit joins, is credited, gets peers, and is reported', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 1, observed: ['peer-limit'] });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      const first = await announce(store, { infoHash: ih, userId: 1, n: 0, left: 5, now: ctx.t0 });
      expect(first.wouldRefuse).toBeUndefined();
      await announce(store, { infoHash: ih, userId: 1, n: 1, left: 5, now: ctx.t0 + 1 });
      const second = await announce(store, { infoHash: ih, userId: 1, n: 1, left: 5, uploaded: 70, now: ctx.t0 + 2 });
      // Re-announces of a peer past the limit are not refused: only a new peer id would have been.
      expect(second.wouldRefuse).toBeUndefined();
      const third = await announce(store, { infoHash: ih, userId: 1, n: 2, left: 5, now: ctx.t0 + 3 });
      expect(third.refused).toBeUndefined();
      expect(third.wouldRefuse).toEqual([{ rule: 'peer-limit', limit: 1 }]);
      expect([third.complete, third.incomplete]).toEqual([1, 3]);
      expect(returnedPorts(third)).toEqual([portOf(2)]);
      expect((await store.swarmPeers(ih, ctx.t0 + 3)).filter((p) => p.userId === 1)).toHaveLength(3);
      expect((await drainLedger(store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 70,
        lastAnnounce: ctx.t0 + 3,
      });
    });

    it('strict pacing: a regular announce too soon is credited and answered with peers, and reported', async () => {
      const minIntervalMs = 900_000;
      const store = await ctx.withRules({ pacing: 'strict', minIntervalMs, observed: ['pacing'] });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 100, now: ctx.t0 });
      const soon = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 300, now: ctx.t0 + 100_000 });
      expect(soon.refused).toBeUndefined();
      expect(soon.tooSoonByMs).toBeUndefined();
      expect(soon.wouldRefuse).toEqual([{ rule: 'pacing', retryInMs: minIntervalMs - 100_000 }]);
      expect(returnedPorts(soon)).toEqual([portOf(2)]);
      // It moved the peer's previous announce, as an accepted one does.
      const later = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 350, now: ctx.t0 + 950_000 });
      expect(later.wouldRefuse).toEqual([{ rule: 'pacing', retryInMs: 50_000 }]);
      expect((await drainLedger(store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 250,
        lastAnnounce: ctx.t0 + 950_000,
      });
    });

    it('download slots: a leech beyond the slots starts, counts among the leeches, and is reported', async () => {
      const store = await ctx.withRules({ observed: ['download-slots'] });
      const [a, b, c] = [newInfoHash(), newInfoHash(), newInfoHash()];
      const slots = { userId: 1, left: 5, downloadSlots: 1 };
      expect((await announce(store, { ...slots, infoHash: a, now: ctx.t0 })).wouldRefuse).toBeUndefined();
      const second = await announce(store, { ...slots, infoHash: b, uploaded: 9, now: ctx.t0 + 1 });
      expect(second.refused).toBeUndefined();
      expect(second.wouldRefuse).toEqual([{ rule: 'download-slots', limit: 1 }]);
      expect([second.complete, second.incomplete]).toEqual([0, 1]);
      const again = await announce(store, { ...slots, infoHash: b, uploaded: 20, now: ctx.t0 + 2 });
      expect(again.wouldRefuse).toBeUndefined();
      expect((await store.userTorrents(1, ctx.t0 + 2)).leeching.sort()).toEqual([a, b].sort());
      expect((await drainLedger(store)).get(ledgerKey(1, b))).toMatchObject({ uploaded: 11 });
      // Both leeches hold their slots: a third is over them too.
      const third = await announce(store, { ...slots, infoHash: c, now: ctx.t0 + 3 });
      expect(third.wouldRefuse).toEqual([{ rule: 'download-slots', limit: 1 }]);
    });

    it('reports every observed rule that would have refused one announce', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 1, observed: ['peer-limit', 'download-slots'] });
      const [seeded, leeched] = [newInfoHash(), newInfoHash()];
      const slots = { userId: 1, downloadSlots: 1 };
      await announce(store, { ...slots, infoHash: seeded, n: 0, left: 0, now: ctx.t0 });
      await announce(store, { ...slots, infoHash: leeched, left: 5, now: ctx.t0 });
      // A second client leeching the seeded torrent: over the peer limit and the download slots at once.
      const both = await announce(store, { ...slots, infoHash: seeded, n: 1, left: 5, now: ctx.t0 + 1 });
      expect(both.refused).toBeUndefined();
      expect(both.wouldRefuse?.map(({ rule }) => rule).sort()).toEqual(['download-slots', 'peer-limit']);
      expect([both.complete, both.incomplete]).toEqual([1, 1]);
    });

    it('enforces the rules not observed, and reports nothing when no rule would refuse', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 1, observed: ['pacing'] });
      const ih = newInfoHash();
      const first = await announce(store, { infoHash: ih, userId: 1, n: 0, left: 5, now: ctx.t0 });
      expect(first).not.toHaveProperty('wouldRefuse');
      const second = await announce(store, { infoHash: ih, userId: 1, n: 1, left: 5, now: ctx.t0 + 1 });
      expect(second.refused).toEqual({ rule: 'peer-limit', limit: 1 });
      expect(second.wouldRefuse).toBeUndefined();
    });
  });
}
