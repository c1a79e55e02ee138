import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';

/** Claiming and acknowledging pending accounting: exactly-once hand-off to the database. */
export function describeLedgerContract(ctx: ContractContext): void {
  describe('pending ledger', () => {
    it('has nothing to claim in an empty store', async () => {
      expect(await ctx.store.claimPending(100)).toBeNull();
    });

    it('hands out a batch and forgets it once acknowledged', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, now: ctx.t0 });
      const batch = await ctx.store.claimPending(100);
      expect(batch).not.toBeNull();
      expect(typeof batch?.id).toBe('string');
      expect(batch?.accounts.map((a) => ledgerKey(a.userId, a.infoHash))).toEqual([ledgerKey(1, ih)]);
      await ctx.store.ackPending(batch?.id ?? '');
      expect(await ctx.store.claimPending(100)).toBeNull();
    });

    it('hands the same batch out again, unchanged, until it is acknowledged', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 10, now: ctx.t0 + 1 });
      const first = await ctx.store.claimPending(100);
      // Announces after the claim must not leak into the claimed batch.
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 25, now: ctx.t0 + 2 });
      const again = await ctx.store.claimPending(100);
      expect(again).toEqual(first);
      expect(again?.accounts[0]).toMatchObject({ uploaded: 10, lastAnnounce: ctx.t0 + 1 });

      await ctx.store.ackPending(first?.id ?? '');
      const next = await ctx.store.claimPending(100);
      expect(next).not.toBeNull();
      expect(next?.id).not.toBe(first?.id);
      expect(next?.accounts).toHaveLength(1);
      expect(next?.accounts[0]).toMatchObject({
        userId: 1,
        infoHash: ih,
        uploaded: 15,
        rawUploaded: 15,
        firstAnnounce: ctx.t0 + 2,
        lastAnnounce: ctx.t0 + 2,
      });
      await ctx.store.ackPending(next?.id ?? '');
      expect(await ctx.store.claimPending(100)).toBeNull();
    });

    it('gives every batch its own id', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) {
        await announce(ctx.store, { infoHash: newInfoHash(), userId: 1, now: ctx.t0 + i });
        const batch = await ctx.store.claimPending(100);
        ids.add(batch?.id ?? '');
        await ctx.store.ackPending(batch?.id ?? '');
      }
      expect(ids.size).toBe(3);
      expect(ids.has('')).toBe(false);
    });

    it('drains every account in batches when more are pending than one claim takes', async () => {
      const hashes = Array.from({ length: 25 }, () => newInfoHash());
      for (const ih of hashes) {
        await announce(ctx.store, { infoHash: ih, userId: 7, now: ctx.t0 });
      }
      const ledger = await drainLedger(ctx.store, 10);
      expect([...ledger.keys()].sort()).toEqual(hashes.map((ih) => ledgerKey(7, ih)).sort());
    });

    it('keeps the pending accounting of a removed torrent and of a removed user', async () => {
      const a = newInfoHash();
      const b = newInfoHash();
      await announce(ctx.store, { infoHash: a, userId: 1, uploaded: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 1, uploaded: 30, now: ctx.t0 + 1 });
      await announce(ctx.store, { infoHash: b, userId: 2, uploaded: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: b, userId: 2, uploaded: 40, now: ctx.t0 + 1 });
      await ctx.store.removeTorrent(a);
      await ctx.store.removeUser(2);
      const ledger = await drainLedger(ctx.store);
      expect(ledger.get(ledgerKey(1, a))?.uploaded).toBe(30);
      expect(ledger.get(ledgerKey(2, b))?.uploaded).toBe(40);
    });
  });
}
