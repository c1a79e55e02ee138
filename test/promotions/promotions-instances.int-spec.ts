import { DataSource } from 'typeorm';
import { LookupService } from 'src/lookup/lookup.service';
import { PromotionFixture, TestClock } from 'test/promotions/promotion-fixture';
import { createInstancePair, createTestApp, type TestApp } from 'test/support/test-app';
import { sleep, waitFor } from 'test/support/wait-for';

/**
 * Two instances sharing PostgreSQL and Redis: a promotion created or deleted on one is honoured on the other within
 * one second (the admin writes' cache invalidation), although the other had the user, torrent and site-wide set
 * cached for an hour.
 */
describe('promotions across instances', () => {
  let writer: TestApp;
  let reader: TestApp;
  let f: PromotionFixture;
  const clock = new TestClock();

  beforeAll(async () => {
    ({ writer, reader } = await createInstancePair({ FLUSH_INTERVAL_MS: '100' }));
    clock.control(writer);
    clock.control(reader);
    f = new PromotionFixture(writer);
  }, 60_000);

  afterAll(async () => {
    await reader.close();
    await writer.close();
  });

  /** Within the contract's second: the reader's cached snapshot of the user (or the site set) has changed. */
  const withinOneSecond = (description: string, seen: () => boolean) =>
    waitFor(() => Promise.resolve(seen() ? true : undefined), { description, timeoutMs: 1000, intervalMs: 10 });

  it('honours a new and a deleted token, user, torrent and site-wide promotion on the other instance', async () => {
    const lookup = reader.app.get(LookupService);
    const user = await f.user();
    const infoHash = await f.torrent();
    await f.join(user, infoHash, reader); // the reader caches the user, the torrent and the site set
    const cachedUser = () => lookup.cachedUser(user.passkey);
    const cachedTorrent = () => lookup.cachedTorrent(infoHash);
    let raw = 0;
    let credited = 0;
    const expectFactor = async (factor: number) => {
      await f.transfer(user, infoHash, 100, 0, reader);
      raw += 100;
      const uploaded = (await f.flushed(user.id, raw)).uploaded;
      expect(uploaded - credited).toBe(100 * factor);
      credited = uploaded;
    };
    await expectFactor(1);

    const token = await f.promote({ userId: user.id, infoHash, uploadFactor: 5 });
    await withinOneSecond('the token on the reader', () => Boolean(cachedUser()?.tokens) || !cachedUser());
    await expectFactor(5);
    expect((await writer.api('DELETE', `/api/promotions/${token.id}`)).status).toBe(204);
    await withinOneSecond('the token gone on the reader', () => !cachedUser()?.tokens);
    await expectFactor(1);

    const own = await f.promote({ userId: user.id, uploadFactor: 3 });
    await withinOneSecond('the user promotion on the reader', () => Boolean(cachedUser()?.promotions) || !cachedUser());
    await expectFactor(3);
    expect((await writer.api('DELETE', `/api/promotions/${own.id}`)).status).toBe(204);
    await withinOneSecond('the user promotion gone on the reader', () => !cachedUser()?.promotions);
    await expectFactor(1);

    const onTorrent = await f.promote({ infoHash, uploadFactor: 4 });
    await withinOneSecond(
      'the torrent promotion on the reader',
      () => Boolean(cachedTorrent()?.promotions) || !cachedTorrent(),
    );
    await expectFactor(4);
    expect((await writer.api('DELETE', `/api/promotions/${onTorrent.id}`)).status).toBe(204);
    await withinOneSecond('the torrent promotion gone on the reader', () => !cachedTorrent()?.promotions);
    await expectFactor(1);

    const site = await f.promote({ uploadFactor: 2 });
    await withinOneSecond('the site event on the reader', () => lookup.cachedSitePromotions()?.length === 4);
    await expectFactor(2);
    expect((await writer.api('DELETE', `/api/promotions/${site.id}`)).status).toBe(204);
    await withinOneSecond('the site event gone on the reader', () => lookup.cachedSitePromotions()?.length === 0);
    await expectFactor(1);
  });
});

/** LOOKUP_CACHE_TTL_MS reloads cached users; their tokens are read again only when they changed. */
describe('promotions in lookup cache entries past their TTL', () => {
  let t: TestApp;
  let f: PromotionFixture;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestApp({ LOOKUP_CACHE_TTL_MS: '300' });
    clock.control(t);
    f = new PromotionFixture(t);
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it('keep unchanged tokens as they are and pick up changed ones', async () => {
    const lookup = t.app.get(LookupService);
    const user = await f.user();
    const infoHash = await f.torrent();
    await f.promote({ userId: user.id, infoHash, downloadFactor: 0 });
    await f.join(user, infoHash);
    const first = lookup.cachedUser(user.passkey)!;
    expect(first.tokens?.infoHashes).toBe(infoHash);

    const reloaded = async (description: string) => {
      const before = lookup.cachedUser(user.passkey);
      await sleep(350);
      await f.transfer(user, infoHash, 0, 0); // answered from the stale entry, which asks for a reload
      return waitFor(
        () => Promise.resolve(lookup.cachedUser(user.passkey) !== before ? lookup.cachedUser(user.passkey) : undefined),
        { description, timeoutMs: 2000, intervalMs: 20 },
      );
    };
    const unchanged = await reloaded('the user reloaded');
    expect(unchanged!.tokens).toBe(first.tokens);

    // Behind the tracker's back: no invalidation, only the reload sees it.
    const other = await f.torrent();
    await t.app
      .get(DataSource)
      .query(`INSERT INTO promotions (user_id, info_hash, download_factor) VALUES ($1, $2, 0)`, [user.id, other]);
    const changed = await reloaded('the user reloaded with the new token');
    expect(changed!.tokens?.infoHashes).toBe([infoHash, other].sort().join(''));

    await t.app.get(DataSource).query(`DELETE FROM promotions WHERE user_id = $1 AND info_hash = $2`, [user.id, other]);
    const deleted = await reloaded('the user reloaded without the deleted token');
    expect(deleted!.tokens?.infoHashes).toBe(infoHash);
  });

  it("read a user's tokens again once one has ended, which leaves memory; no write happened", async () => {
    const lookup = t.app.get(LookupService);
    const user = await f.user();
    const [kept, ending] = [await f.torrent(), await f.torrent()];
    await f.promote({ userId: user.id, infoHash: kept, downloadFactor: 0 });
    await f.promote({ userId: user.id, infoHash: ending, downloadFactor: 0, endsAt: clock.iso(3_600_000) });
    await f.join(user, kept);
    expect(lookup.cachedUser(user.passkey)!.tokens?.infoHashes).toBe([kept, ending].sort().join(''));

    clock.now += 2 * 3_600_000;
    await waitFor(
      async () => {
        await f.transfer(user, kept, 0, 0); // a stale entry asks for its reload
        return lookup.cachedUser(user.passkey)?.tokens?.infoHashes === kept ? true : undefined;
      },
      { description: 'the ended token gone from the cached user', timeoutMs: 3000, intervalMs: 100 },
    );
  });
});
