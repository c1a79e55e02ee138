import {
  announce,
  announceOf,
  drainLedger,
  ledgerKey,
  newInfoHash,
  peerIdOf,
  portOf,
  returnedPorts,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';
import type { PeerStore } from 'src/peers/peer-store';
import { DUPLICATE_WINDOW_MS, type CheatFlag, type PendingAccount } from 'src/peers/peer-store.types';

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

/** ANNOUNCE_PACING against the stored peer's previous announce (MIN_INTERVAL 900 s here). */
export function describePacingContract(ctx: ContractContext): void {
  const minIntervalMs = 900_000;

  describe('ANNOUNCE_PACING', () => {
    it('lenient: a regular announce too soon is credited and counted, but answered with no peers', async () => {
      const store = await ctx.withRules({ pacing: 'lenient', minIntervalMs });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 100, now: ctx.t0 });
      const soon = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 350, now: ctx.t0 + 60_000 });
      expect(soon.refused).toBeUndefined();
      expect(soon.tooSoonByMs).toBe(minIntervalMs - 60_000);
      expect([soon.complete, soon.incomplete]).toEqual([1, 1]);
      expect(returnedPorts(soon)).toEqual([]);
      expect((await drainLedger(store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 250,
        lastAnnounce: ctx.t0 + 60_000,
      });
      const inTime = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 400, now: ctx.t0 + 960_000 });
      expect(inTime.tooSoonByMs).toBeUndefined();
      expect(returnedPorts(inTime)).toEqual([portOf(2)]);
    });

    it('strict: refused with the time left, and its totals credited at the next announce', async () => {
      const store = await ctx.withRules({ pacing: 'strict', minIntervalMs });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 100, now: ctx.t0 });
      const soon = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 300, now: ctx.t0 + 100_000 });
      expect(soon.refused).toEqual({ rule: 'pacing', retryInMs: minIntervalMs - 100_000 });
      // Measured from the last accepted announce: the refused one moved nothing.
      const again = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 320, now: ctx.t0 + 800_000 });
      expect(again.refused).toEqual({ rule: 'pacing', retryInMs: 100_000 });
      expect((await store.swarmPeers(ih, ctx.t0 + 800_000))[0]).toMatchObject({ uploaded: 100, lastAnnounce: ctx.t0 });
      const next = await announce(store, { infoHash: ih, userId: 1, left: 5, uploaded: 350, now: ctx.t0 + 900_000 });
      expect(next.refused).toBeUndefined();
      expect((await drainLedger(store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 250,
        lastAnnounce: ctx.t0 + 900_000,
      });
    });

    it('strict: started, completed and stopped always pass', async () => {
      const store = await ctx.withRules({ pacing: 'strict', minIntervalMs });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 1, left: 5, now: ctx.t0 });
      const steps = [
        { event: 'started', left: 5, uploaded: 10 },
        { event: 'completed', left: 0, uploaded: 20 },
        { event: 'stopped', left: 0, uploaded: 30 },
      ] as const;
      for (const [i, step] of steps.entries()) {
        const r = await announce(store, { infoHash: ih, userId: 1, now: ctx.t0 + 10_000 * (i + 1), ...step });
        expect(r.refused).toBeUndefined();
      }
      expect((await drainLedger(store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 20,
        completedAt: ctx.t0 + 20_000,
      });
    });

    it('answers an exact duplicate from the swarm without writing anything', async () => {
      const store = await ctx.withRules({ pacing: 'strict', minIntervalMs });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      const spec = { infoHash: ih, userId: 1, left: 5, uploaded: 100, event: 'started' } as const;
      await announce(store, { ...spec, now: ctx.t0 });
      for (const event of ['started', 'none'] as const) {
        const duplicate = await announce(store, { ...spec, event, now: ctx.t0 + 2000 });
        expect(duplicate.refused).toBeUndefined();
        expect(duplicate.tooSoonByMs).toBeUndefined();
        expect([duplicate.complete, duplicate.incomplete]).toEqual([1, 1]);
        expect(returnedPorts(duplicate)).toEqual([portOf(2)]);
      }
      expect((await store.swarmPeers(ih, ctx.t0 + 2000)).find((p) => p.userId === 1)?.lastAnnounce).toBe(ctx.t0);
      expect((await drainLedger(store)).get(ledgerKey(1, ih))?.lastAnnounce).toBe(ctx.t0);
      expect(await store.totals(ctx.t0 + 2000)).toEqual({ peers: 2, seeders: 1, leechers: 1 });
      // Past the window, the same totals are a regular announce again: too soon, refused.
      const late = await announce(store, { ...spec, event: 'none', now: ctx.t0 + DUPLICATE_WINDOW_MS + 1 });
      expect(late.refused?.rule).toBe('pacing');
    });

    it('off: announces are never paced', async () => {
      const store = await ctx.withRules({ pacing: 'off', minIntervalMs });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 5, now: ctx.t0 });
      const soon = await announce(store, { infoHash: ih, userId: 1, left: 5, now: ctx.t0 + 1 });
      expect(soon.tooSoonByMs).toBeUndefined();
      expect(returnedPorts(soon)).toEqual([portOf(2)]);
    });
  });
}

/** Cheat signals, recorded with their evidence in the pending ledger and handed out with the batch. */
export function describeCheatSignalsContract(ctx: ContractContext): void {
  async function drainFlags(store: PeerStore): Promise<{ flags: CheatFlag[]; ledger: Map<string, PendingAccount> }> {
    const flags: CheatFlag[] = [];
    const ledger = await drainLedger(store, 1000, flags);
    return { flags, ledger };
  }

  describe('cheat signals', () => {
    it('flags upload credited with no leecher since the previous announce, with its evidence', async () => {
      const store = await ctx.withRules({ cheatPolicy: 'observe' });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 100, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 5100, now: ctx.t0 + 10_000 });
      const { flags, ledger } = await drainFlags(store);
      expect(flags).toEqual([
        {
          userId: 1,
          infoHash: ih,
          kind: 'upload_without_leechers',
          announcedAt: ctx.t0 + 10_000,
          evidence: {
            announce: { peerId: peerIdOf(1).toString('hex'), uploaded: 5100, downloaded: 0, left: 0, event: 'none' },
            previous: { uploaded: 100, downloaded: 0, left: 0, lastAnnounce: ctx.t0 },
            swarm: { seeders: 2, leechers: 0 },
            uploadRate: 500,
            withheld: false,
          },
        },
      ]);
      // Observe only: credited all the same.
      expect(ledger.get(ledgerKey(1, ih))?.uploaded).toBe(5000);
    });

    it('raises no flag when a leecher is there, or left by completing after the previous announce', async () => {
      const store = await ctx.withRules({ cheatPolicy: 'observe' });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 2, left: 10, downloaded: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 5, now: ctx.t0 + 1000 });
      await announce(store, {
        infoHash: ih,
        userId: 2,
        left: 0,
        downloaded: 10,
        event: 'completed',
        now: ctx.t0 + 2000,
      });
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 10, now: ctx.t0 + 3000 });
      expect((await drainFlags(store)).flags).toEqual([]);
    });

    it('judges repeated uploads in an unchanged swarm the same (Redis: from the members the store keeps)', async () => {
      // Re-announces that change no member let the Redis store keep the swarm's members and their version; its
      // later announces then pass their count of live leechers, which the script uses while that version holds.
      const store = await ctx.withRules({ cheatPolicy: 'observe' });
      const [withLeecher, seedersOnly] = [newInfoHash(), newInfoHash()];
      await announce(store, { infoHash: withLeecher, userId: 2, left: 10, now: ctx.t0 });
      await announce(store, { infoHash: seedersOnly, userId: 2, left: 0, now: ctx.t0 });
      for (const infoHash of [withLeecher, seedersOnly]) {
        for (let i = 0; i < 4; i++) {
          await announce(store, { infoHash, userId: 1, left: 0, uploaded: 10 * i, now: ctx.t0 + 1000 * i });
        }
      }
      const { flags } = await drainFlags(store);
      expect(flags.map((flag) => [flag.infoHash, flag.kind, flag.announcedAt])).toEqual(
        [1000, 2000, 3000].map((ms) => [seedersOnly, 'upload_without_leechers', ctx.t0 + ms]),
      );
    });

    it("flags a leecher's upload when no other leecher is live: itself and a silent one do not count", async () => {
      const store = await ctx.withRules({ cheatPolicy: 'observe' });
      const ih = newInfoHash();
      const later = ctx.t0 + ctx.ttlMs / 2;
      // User 2's leecher falls silent (not pruned yet when user 1 announces again), user 1 leeches beside a seeder.
      await announce(store, { infoHash: ih, userId: 2, left: 10, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 3, left: 0, now: later });
      await announce(store, { infoHash: ih, userId: 1, left: 10, uploaded: 0, now: later });
      await announce(store, { infoHash: ih, userId: 1, left: 10, uploaded: 5, now: ctx.t0 + ctx.ttlMs + 2000 });
      const { flags } = await drainFlags(store);
      expect(flags).toEqual([
        expect.objectContaining({ userId: 1, kind: 'upload_without_leechers', announcedAt: ctx.t0 + ctx.ttlMs + 2000 }),
      ]);
    });

    it('flags an upload rate above MAX_UPLOAD_RATE and a completion without any download', async () => {
      const store = await ctx.withRules({ cheatPolicy: 'observe', maxUploadRate: 1000 });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 10, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 10, uploaded: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 10, uploaded: 20_000, now: ctx.t0 + 10_000 });
      await announce(store, { infoHash: ih, userId: 3, left: 0, downloaded: 0, event: 'completed', now: ctx.t0 });
      const { flags } = await drainFlags(store);
      expect(flags.map((f) => [f.userId, f.kind, f.evidence.uploadRate]).sort()).toEqual([
        [1, 'upload_rate', 2000],
        [3, 'completed_without_download', 0],
      ]);
    });

    it('withhold: a flagged announce credits nothing, and its flag says so', async () => {
      const store = await ctx.withRules({ cheatPolicy: 'withhold', maxUploadRate: 1000 });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 10, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 10, uploaded: 0, downloaded: 0, now: ctx.t0 });
      await announce(store, {
        infoHash: ih,
        userId: 1,
        left: 5,
        uploaded: 50_000,
        downloaded: 5,
        now: ctx.t0 + 10_000,
      });
      await announce(store, {
        infoHash: ih,
        userId: 1,
        left: 5,
        uploaded: 51_000,
        downloaded: 9,
        now: ctx.t0 + 20_000,
      });
      const { flags, ledger } = await drainFlags(store);
      expect(flags.map((f) => [f.kind, f.evidence.withheld])).toEqual([['upload_rate', true]]);
      // The flagged announce credited nothing; the next one (100 B/s) is credited as usual. Raw bytes are kept.
      expect(ledger.get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 1000,
        downloaded: 4,
        rawUploaded: 51_000,
        rawDownloaded: 9,
      });
    });

    it('records the flag kinds a policy raised with the announce’s evidence, withheld like the store’s own', async () => {
      const store = await ctx.withRules({ cheatPolicy: 'withhold' });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 2, left: 10, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 10, now: ctx.t0 });
      await store.announce({
        ...announceOf({ infoHash: ih, userId: 1, left: 0, uploaded: 70, now: ctx.t0 + 1000 }),
        policyFlags: ['peer_id_user_agent_mismatch', 'other_kind'],
      });
      const { flags, ledger } = await drainFlags(store);
      expect(flags.map((f) => f.kind).sort()).toEqual(['other_kind', 'peer_id_user_agent_mismatch']);
      expect(flags[0]).toMatchObject({
        userId: 1,
        announcedAt: ctx.t0 + 1000,
        evidence: {
          announce: { uploaded: 70, left: 0, event: 'none' },
          previous: { uploaded: 10, lastAnnounce: ctx.t0 },
          swarm: { seeders: 1, leechers: 1 },
          uploadRate: 60,
          withheld: true,
        },
      });
      expect(ledger.get(ledgerKey(1, ih))).toMatchObject({ uploaded: 0, rawUploaded: 60 });
    });

    it('off: no flags at all', async () => {
      const store = await ctx.withRules({ cheatPolicy: 'off', maxUploadRate: 1 });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 0, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, left: 0, uploaded: 9000, event: 'completed', now: ctx.t0 + 1 });
      expect((await drainFlags(store)).flags).toEqual([]);
    });
  });
}
