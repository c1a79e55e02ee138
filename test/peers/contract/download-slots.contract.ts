import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  type ContractContext,
} from 'test/peers/contract/contract-fixtures';
import type { AnnounceResult } from 'src/peers/peer-store.types';
import { slotRefreshMs } from 'src/peers/redis/redis-download-slots';

const admitted = (r: AnnounceResult) => r.refused === undefined;

/**
 * Download slots (README): the most torrents a user leeches at once, passed with each announce from the user's
 * snapshot. Exact when sequential on every store; concurrent new leeches of one user never exceed the limit either.
 */
export function describeDownloadSlotsContract(ctx: ContractContext): void {
  describe('download slots', () => {
    it('refuses a leech of a new torrent beyond the slots and changes nothing; seeding is never limited', async () => {
      const { store, t0 } = ctx;
      const [a, b, c, d] = [newInfoHash(), newInfoHash(), newInfoHash(), newInfoHash()];
      const slots = { userId: 1, left: 5, downloadSlots: 2 };
      expect(admitted(await announce(store, { ...slots, infoHash: a, now: t0 }))).toBe(true);
      expect(admitted(await announce(store, { ...slots, infoHash: b, now: t0 }))).toBe(true);
      const third = await announce(store, { ...slots, infoHash: c, uploaded: 9, now: t0 + 1 });
      expect(third.refused).toEqual({ rule: 'download-slots', limit: 2 });
      expect(await store.swarmPeers(c, t0 + 1)).toEqual([]);
      expect((await drainLedger(store)).has(ledgerKey(1, c))).toBe(false);
      // Seeding another torrent, re-announcing a leech and a second client on a leeched torrent all pass.
      expect(admitted(await announce(store, { ...slots, infoHash: d, left: 0, now: t0 + 2 }))).toBe(true);
      expect(admitted(await announce(store, { ...slots, infoHash: a, downloaded: 10, now: t0 + 3 }))).toBe(true);
      expect(admitted(await announce(store, { ...slots, infoHash: b, n: 1, now: t0 + 3 }))).toBe(true);
      // A stopped announce is never refused, known or not.
      expect(admitted(await announce(store, { ...slots, infoHash: c, event: 'stopped', now: t0 + 4 }))).toBe(true);
      expect((await store.userTorrents(1, t0 + 4)).leeching.sort()).toEqual([a, b].sort());
    });

    it('frees a slot when a leecher completes, stops or falls silent', async () => {
      const { store, t0, ttlMs } = ctx;
      const [a, b, c, d] = [newInfoHash(), newInfoHash(), newInfoHash(), newInfoHash()];
      const slots = { userId: 1, left: 5, downloadSlots: 1 };
      await announce(store, { ...slots, infoHash: a, now: t0 });
      expect(admitted(await announce(store, { ...slots, infoHash: b, now: t0 }))).toBe(false);
      await announce(store, { ...slots, infoHash: a, event: 'completed', left: 0, downloaded: 5, now: t0 + 1 });
      expect(admitted(await announce(store, { ...slots, infoHash: b, now: t0 + 2 }))).toBe(true);
      await announce(store, { ...slots, infoHash: b, event: 'stopped', now: t0 + 3 });
      expect(admitted(await announce(store, { ...slots, infoHash: c, now: t0 + 4 }))).toBe(true);
      expect(admitted(await announce(store, { ...slots, infoHash: d, now: t0 + 5 }))).toBe(false);
      // c's leecher is silent for longer than the TTL: it no longer holds the slot (on Redis, a refresh period later
      // at most: README).
      const silent = t0 + 4 + ttlMs + slotRefreshMs(ttlMs) + 1;
      expect(admitted(await announce(store, { ...slots, infoHash: d, now: silent }))).toBe(true);
    });

    it('keeps the slot of a leecher that re-announces more often than its entry is refreshed, then frees it', async () => {
      const { store, t0, ttlMs } = ctx;
      const [a, b] = [newInfoHash(), newInfoHash()];
      const slots = { userId: 1, left: 5, downloadSlots: 1 };
      const step = Math.floor(slotRefreshMs(ttlMs) / 3);
      let now = t0;
      for (; now <= t0 + ttlMs + 2 * slotRefreshMs(ttlMs); now += step) {
        expect(admitted(await announce(store, { ...slots, infoHash: a, now }))).toBe(true);
      }
      const last = now - step;
      // Live until a TTL after its last announce, however old its entry on Redis.
      expect((await announce(store, { ...slots, infoHash: b, now: last + ttlMs - 1 })).refused).toEqual({
        rule: 'download-slots',
        limit: 1,
      });
      const silent = last + ttlMs + slotRefreshMs(ttlMs) + 1;
      expect(admitted(await announce(store, { ...slots, infoHash: b, now: silent }))).toBe(true);
    });

    it("keeps a live leecher's slot for as long as it re-announces, beyond the TTL since it started", async () => {
      const { store, t0, ttlMs } = ctx;
      const [a, b] = [newInfoHash(), newInfoHash()];
      const slots = { userId: 1, left: 5, downloadSlots: 1 };
      for (let i = 0; i <= 3; i++) {
        expect(admitted(await announce(store, { ...slots, infoHash: a, now: t0 + i * Math.floor(ttlMs * 0.9) }))).toBe(
          true,
        );
      }
      const later = t0 + 3 * Math.floor(ttlMs * 0.9) + 1;
      expect((await announce(store, { ...slots, infoHash: b, now: later })).refused).toEqual({
        rule: 'download-slots',
        limit: 1,
      });
    });

    it('keeps the slot of a torrent while another client of the user still leeches it', async () => {
      const { store, t0 } = ctx;
      const [a, b] = [newInfoHash(), newInfoHash()];
      const slots = { userId: 1, left: 5, downloadSlots: 1 };
      await announce(store, { ...slots, infoHash: a, n: 0, now: t0 });
      await announce(store, { ...slots, infoHash: a, n: 1, now: t0 });
      await announce(store, { ...slots, infoHash: a, n: 0, event: 'stopped', now: t0 + 1 });
      expect(admitted(await announce(store, { ...slots, infoHash: b, now: t0 + 2 }))).toBe(false);
      expect(admitted(await announce(store, { ...slots, infoHash: a, n: 1, now: t0 + 3 }))).toBe(true);
    });

    it('has no limit at null, allows seeding only at 0, and lets existing leeches through when lowered', async () => {
      const { store, t0, ttlMs } = ctx;
      const hashes = [newInfoHash(), newInfoHash(), newInfoHash(), newInfoHash()];
      for (const infoHash of hashes.slice(0, 3)) {
        expect(admitted(await announce(store, { infoHash, userId: 1, left: 5, downloadSlots: null, now: t0 }))).toBe(
          true,
        );
      }
      // Slots set below what the user already leeches: its leeches go on, and count from their next announce (on
      // Redis, the first of a refresh period: README), so a new one is refused.
      const next = t0 + slotRefreshMs(ttlMs);
      for (const infoHash of hashes.slice(0, 3)) {
        expect(admitted(await announce(store, { infoHash, userId: 1, left: 4, downloadSlots: 1, now: next }))).toBe(
          true,
        );
      }
      const fourth = { infoHash: hashes[3], userId: 1, left: 5, now: next + 1 };
      expect((await announce(store, { ...fourth, downloadSlots: 1 })).refused).toEqual({
        rule: 'download-slots',
        limit: 1,
      });
      expect(admitted(await announce(store, { ...fourth, userId: 2, downloadSlots: 0, left: 0 }))).toBe(true);
      expect((await announce(store, { ...fourth, userId: 3, downloadSlots: 0 })).refused).toEqual({
        rule: 'download-slots',
        limit: 0,
      });
    });

    it('frees every slot of a user whose peers are removed', async () => {
      const { store, t0 } = ctx;
      const [a, b] = [newInfoHash(), newInfoHash()];
      await announce(store, { infoHash: a, userId: 1, left: 5, downloadSlots: 1, now: t0 });
      await store.removeUser(1);
      expect(admitted(await announce(store, { infoHash: b, userId: 1, left: 5, downloadSlots: 1, now: t0 + 1 }))).toBe(
        true,
      );
    });

    it('gives the slot back when another rule refuses the announce', async () => {
      const store = await ctx.withRules({ maxPeersPerUserTorrent: 1 });
      const [a, b] = [newInfoHash(), newInfoHash()];
      await announce(store, { infoHash: a, userId: 1, n: 0, left: 0, now: ctx.t0 });
      const limited = await announce(store, { infoHash: a, userId: 1, n: 1, left: 5, downloadSlots: 1, now: ctx.t0 });
      expect(limited.refused).toEqual({ rule: 'peer-limit', limit: 1 });
      expect(admitted(await announce(store, { infoHash: b, userId: 1, left: 5, downloadSlots: 1, now: ctx.t0 }))).toBe(
        true,
      );
    });

    it('never admits more new leeches than the slots when they race', async () => {
      const { store, t0 } = ctx;
      const hashes = Array.from({ length: 9 }, () => newInfoHash());
      const results = await Promise.all(
        hashes.map((infoHash) => announce(store, { infoHash, userId: 1, left: 5, downloadSlots: 3, now: t0 })),
      );
      expect(results.filter(admitted)).toHaveLength(3);
      expect((await store.userTorrents(1, t0)).leeching).toHaveLength(3);
      // And the refused ones took no slot: one leech stops, and one more gets in.
      const leeching = hashes.filter((_, i) => admitted(results[i]));
      await announce(store, {
        infoHash: leeching[0],
        userId: 1,
        event: 'stopped',
        left: 5,
        downloadSlots: 3,
        now: t0 + 1,
      });
      const again = await Promise.all(
        hashes
          .filter((_, i) => !admitted(results[i]))
          .map((infoHash) => announce(store, { infoHash, userId: 1, left: 5, downloadSlots: 3, now: t0 + 2 })),
      );
      expect(again.filter(admitted)).toHaveLength(1);
    });
  });
}
