import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';

/** Deltas, credits, seed time and the pending ledger's sums (CONTRACT §4). */
export function describeAccountingContract(ctx: ContractContext): void {
  describe('accounting', () => {
    it('only sets the baseline on a peer’s first announce, but records it in the ledger', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        uploaded: 500,
        downloaded: 700,
        left: 3,
        ip: '10.9.9.9',
        now: ctx.t0,
      });
      const ledger = await drainLedger(ctx.store);
      expect(ledger.get(ledgerKey(1, ih))).toEqual({
        userId: 1,
        infoHash: ih,
        uploaded: 0,
        downloaded: 0,
        rawUploaded: 0,
        rawDownloaded: 0,
        seedTime: 0,
        completedAt: null,
        firstAnnounce: ctx.t0,
        lastAnnounce: ctx.t0,
        lastIp: '10.9.9.9',
      });
    });

    it('credits the deltas times the factors, rounded down, and keeps the raw deltas', async () => {
      const ih = newInfoHash();
      const factors = { uploadFactor: 1.5, downloadFactor: 0.5 };
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        uploaded: 100,
        downloaded: 100,
        left: 3,
        now: ctx.t0,
        ...factors,
      });
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        uploaded: 201,
        downloaded: 201,
        left: 3,
        now: ctx.t0 + 1000,
        ...factors,
      });
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        uploaded: 301,
        downloaded: 301,
        left: 3,
        now: ctx.t0 + 2000,
        ...factors,
      });
      const a = (await drainLedger(ctx.store)).get(ledgerKey(1, ih));
      // 101 × 1.5 = 151.5 → 151, then 100 × 1.5 = 150; 101 × 0.5 = 50.5 → 50, then 50.
      expect(a).toMatchObject({ uploaded: 301, downloaded: 100, rawUploaded: 201, rawDownloaded: 201 });
      expect(a).toMatchObject({ firstAnnounce: ctx.t0, lastAnnounce: ctx.t0 + 2000 });
    });

    it('credits no download on freeleech (factor 0) but still counts the raw bytes', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, downloaded: 0, left: 9, now: ctx.t0, downloadFactor: 0 });
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        downloaded: 4096,
        left: 9,
        now: ctx.t0 + 1,
        downloadFactor: 0,
      });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({
        downloaded: 0,
        rawDownloaded: 4096,
      });
    });

    it('stays exact near 2^53', async () => {
      const ih = newInfoHash();
      const big = Number.MAX_SAFE_INTEGER;
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: big - 1000, downloaded: big - 7, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: big, downloaded: big, now: ctx.t0 + 1 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 1000,
        rawUploaded: 1000,
        downloaded: 7,
        rawDownloaded: 7,
      });
    });

    it('treats event=started as a new baseline', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 100, left: 3, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 900, left: 3, event: 'started', now: ctx.t0 + 1 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 950, left: 3, now: ctx.t0 + 2 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({ uploaded: 50, rawUploaded: 50 });
    });

    it('resets the baseline and credits nothing when either total goes down', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 1000, downloaded: 1000, left: 3, now: ctx.t0 });
      // Upload went up by 5000 but download went down: nothing is credited, both reset.
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 6000, downloaded: 10, left: 3, now: ctx.t0 + 1 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 6100, downloaded: 30, left: 3, now: ctx.t0 + 2 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({
        uploaded: 100,
        downloaded: 20,
        rawUploaded: 100,
        rawDownloaded: 20,
      });
    });

    it('credits a stopped announce, then forgets the peer so its next announce is a first one', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 0, left: 3, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 70, left: 3, event: 'stopped', now: ctx.t0 + 1 });
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 500, left: 3, now: ctx.t0 + 2 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({ uploaded: 70, rawUploaded: 70 });
    });

    it('treats paused like a regular announce', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, uploaded: 0, left: 3, now: ctx.t0 });
      const r = await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        uploaded: 40,
        left: 3,
        event: 'paused',
        now: ctx.t0 + 1,
      });
      expect(r.incomplete).toBe(1);
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({ uploaded: 40 });
    });

    it('sums every peer of a user in a torrent into one account, apart from other torrents and users', async () => {
      const a = newInfoHash();
      const b = newInfoHash();
      for (const [n, ih] of [
        [0, a],
        [1, a],
        [0, b],
      ] as const) {
        await announce(ctx.store, { infoHash: ih, userId: 1, n, uploaded: 0, left: 3, now: ctx.t0 });
        await announce(ctx.store, { infoHash: ih, userId: 1, n, uploaded: 10, left: 3, now: ctx.t0 + 1 });
      }
      await announce(ctx.store, { infoHash: a, userId: 2, uploaded: 0, left: 3, now: ctx.t0 });
      await announce(ctx.store, { infoHash: a, userId: 2, uploaded: 3, left: 3, now: ctx.t0 + 1 });
      const ledger = await drainLedger(ctx.store);
      expect(ledger.size).toBe(3);
      expect(ledger.get(ledgerKey(1, a))?.uploaded).toBe(20);
      expect(ledger.get(ledgerKey(1, b))?.uploaded).toBe(10);
      expect(ledger.get(ledgerKey(2, a))?.uploaded).toBe(3);
    });

    it('records the first completion time and the latest address', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 3, ip: '10.0.0.1', now: ctx.t0 });
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        left: 0,
        event: 'completed',
        ip: '10.0.0.2',
        now: ctx.t0 + 5,
      });
      await announce(ctx.store, {
        infoHash: ih,
        userId: 1,
        left: 0,
        event: 'completed',
        ip: '10.0.0.3',
        now: ctx.t0 + 9,
      });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))).toMatchObject({
        completedAt: ctx.t0 + 5,
        firstAnnounce: ctx.t0,
        lastAnnounce: ctx.t0 + 9,
        lastIp: '10.0.0.3',
      });
    });
  });

  describe('seed time', () => {
    it('adds the milliseconds between announces of a peer that was seeding', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 + 60_000 });
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, event: 'stopped', now: ctx.t0 + 90_000 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))?.seedTime).toBe(90_000);
    });

    it('counts time only from announces where the peer was already a seeder', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 10, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, event: 'completed', now: ctx.t0 + 60_000 });
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 + 100_000 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))?.seedTime).toBe(40_000);
    });

    it('counts no time across a started event', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 });
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, event: 'started', now: ctx.t0 + 60_000 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))?.seedTime).toBe(0);
    });

    it('counts a gap just under the peer TTL but not one longer than it', async () => {
      const ih = newInfoHash();
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: ctx.t0 });
      const t1 = ctx.t0 + ctx.ttlMs - 1000;
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: t1 });
      await announce(ctx.store, { infoHash: ih, userId: 1, left: 0, now: t1 + ctx.ttlMs + 1000 });
      expect((await drainLedger(ctx.store)).get(ledgerKey(1, ih))?.seedTime).toBe(ctx.ttlMs - 1000);
    });
  });
}
