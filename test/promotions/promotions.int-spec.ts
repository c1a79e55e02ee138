import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { LookupService } from 'src/lookup/lookup.service';
import { PromotionPolicy } from 'src/promotions/promotion.policy';
import { PromotionFixture, TestClock } from 'test/promotions/promotion-fixture';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';

const HOUR = 3_600_000;

/**
 * Issue 14 through the whole tracker: promotions created with the admin API, applied by the announce pipeline,
 * credited through the real flusher into PostgreSQL, on the memory store, Redis and a 3-master Redis Cluster. Time
 * is the test clock (Clock): promotions start and end with no write at that moment.
 */
describe.each(PEER_STORE_ENVS)('promotions on the $name peer store', (store) => {
  let t: TestApp;
  let f: PromotionFixture;
  const clock = new TestClock();

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    // An hour of cache TTL: what changes is seen through invalidations or the clock, never a reload.
    t = await createTestApp({ ...store.env(), FLUSH_INTERVAL_MS: '100', LOOKUP_CACHE_TTL_MS: '3600000' });
    clock.control(t);
    f = new PromotionFixture(t);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await stopTestCluster();
  });

  it("a user's promotion applies on every torrent of that user only", async () => {
    const [user, other] = [await f.user({ uploadMultiplier: 1.5 }), await f.user()];
    const [a, b] = [await f.torrent(), await f.torrent()];
    for (const [u, h] of [
      [user, a],
      [user, b],
      [other, a],
    ] as const) {
      await f.join(u, h);
    }
    await f.promote({ userId: user.id, uploadFactor: 2, reason: 'personal double upload' });
    await f.transfer(user, a, 1000, 100);
    await f.transfer(user, b, 10, 100);
    await f.transfer(other, a, 1000, 100);
    expect(await f.flushed(user.id, 1010)).toEqual({
      uploaded: 3030, // 1010 × 1.5 × 2
      downloaded: 200,
      rawUploaded: 1010,
      rawDownloaded: 200,
    });
    expect(await f.flushed(other.id, 1000)).toMatchObject({ uploaded: 1000, downloaded: 100 });
  });

  it("a torrent's promotion applies to everyone on it, and on no other torrent", async () => {
    const [u1, u2] = [await f.user(), await f.user({ downloadMultiplier: 0.5 })];
    const [promoted, plain] = [await f.torrent({ uploadMultiplier: 2 }), await f.torrent()];
    for (const [u, h] of [
      [u1, promoted],
      [u2, promoted],
      [u1, plain],
    ] as const) {
      await f.join(u, h);
    }
    await f.promote({ infoHash: promoted.toUpperCase(), downloadFactor: 0.25, uploadFactor: 1.5 });
    await f.transfer(u1, promoted, 100, 1000);
    await f.transfer(u2, promoted, 100, 1000);
    await f.transfer(u1, plain, 100, 1000);
    expect(await f.flushed(u1.id, 200)).toMatchObject({ uploaded: 300 + 100, downloaded: 250 + 1000 });
    expect(await f.flushed(u2.id, 100)).toMatchObject({ uploaded: 300, downloaded: 125 });
  });

  it("a token applies to its user on its torrent and leaves the user's other torrents untouched", async () => {
    const [holder, other] = [await f.user(), await f.user()];
    const [a, b] = [await f.torrent(), await f.torrent()];
    for (const [u, h] of [
      [holder, a],
      [holder, b],
      [other, a],
    ] as const) {
      await f.join(u, h);
    }
    const token = await f.promote({ userId: holder.id, infoHash: a, downloadFactor: 0, reason: 'freeleech token' });
    expect(token).toMatchObject({ scope: 'token', userId: holder.id, infoHash: a, uploadFactor: 1, active: true });
    await f.transfer(holder, a, 50, 1000);
    await f.transfer(holder, b, 50, 1000);
    await f.transfer(other, a, 50, 1000);
    await f.flushed(holder.id, 100);
    expect(await f.history(holder.id, a)).toEqual({
      uploaded: 50,
      downloaded: 0,
      rawUploaded: 50,
      rawDownloaded: 1000,
    });
    expect(await f.history(holder.id, b)).toEqual({
      uploaded: 50,
      downloaded: 1000,
      rawUploaded: 50,
      rawDownloaded: 1000,
    });
    expect(await f.flushed(other.id, 50)).toMatchObject({ downloaded: 1000 });
  });

  it('overlapping promotions: the largest upload factor and the smallest download factor, with the multipliers', async () => {
    const user = await f.user({ uploadMultiplier: 1.5, downloadMultiplier: 2 });
    const infoHash = await f.torrent({ downloadMultiplier: 0.5 });
    await f.join(user, infoHash);
    const site = await f.promote({ uploadFactor: 1.5, downloadFactor: 0.5, reason: 'site event' });
    await f.promote({ userId: user.id, uploadFactor: 3 });
    await f.promote({ infoHash, uploadFactor: 2, downloadFactor: 0.75 });
    await f.promote({ userId: user.id, infoHash, downloadFactor: 0.25 });
    await f.transfer(user, infoHash, 1000, 1000);
    // upload 1000 × 1.5 × 1 × max(1.5, 3, 2, 1) = 4500; download 1000 × 2 × 0.5 × min(0.5, 1, 0.75, 0.25) = 250
    expect(await f.flushed(user.id, 1000)).toEqual({
      uploaded: 4500,
      downloaded: 250,
      rawUploaded: 1000,
      rawDownloaded: 1000,
    });
    expect((await t.api('DELETE', `/api/promotions/${site.id}`)).status).toBe(204);
  });

  it('applies synchronously when the user, the torrent and the site set are cached (no promise, no tick)', async () => {
    const user = await f.user();
    const infoHash = await f.torrent();
    await f.promote({ userId: user.id, infoHash, uploadFactor: 2, downloadFactor: 0.5 });
    await f.join(user, infoHash); // caches all three
    const lookup = t.app.get(LookupService);
    // Read, not peeked: on Redis the promotion's own invalidation, heard back from the bus, may drop the user
    // after the join cached it.
    const context = {
      user: (await lookup.userByPasskey(user.passkey))!,
      torrent: (await lookup.torrent(infoHash))!,
      credit: { uploadFactor: 1, downloadFactor: 1 },
    } as AnnounceContext;
    expect(t.app.get(PromotionPolicy).check(context)).toBeUndefined();
    expect(context.credit).toEqual({ uploadFactor: 2, downloadFactor: 0.5 });
  });

  it('leaves freeleech torrents freeleech', async () => {
    const user = await f.user();
    const infoHash = await f.torrent({ freeleech: true });
    await f.join(user, infoHash);
    await f.promote({ userId: user.id, infoHash, uploadFactor: 2, downloadFactor: 0.5 });
    await f.transfer(user, infoHash, 100, 100);
    expect(await f.flushed(user.id, 100)).toMatchObject({ uploaded: 200, downloaded: 0 });
  });

  it('starts and ends by the clock, with no write at either moment', async () => {
    const user = await f.user();
    const infoHash = await f.torrent();
    await f.join(user, infoHash);
    const site = await f.promote({ uploadFactor: 2, startsAt: clock.iso(HOUR), endsAt: clock.iso(3 * HOUR) });
    const token = await f.promote({
      userId: user.id,
      infoHash,
      downloadFactor: 0,
      startsAt: clock.iso(2 * HOUR),
      endsAt: clock.iso(4 * HOUR),
    });
    expect([site.active, token.active]).toEqual([false, false]);
    let raw = 0;
    const phase = async (uploaded: number, downloaded: number) => {
      await f.transfer(user, infoHash, uploaded, downloaded);
      raw += uploaded;
      return f.flushed(user.id, raw);
    };
    // Before either: nothing applies.
    expect(await phase(100, 100)).toMatchObject({ uploaded: 100, downloaded: 100 });
    clock.now += HOUR; // the site event starts (start inclusive)
    expect(await phase(100, 100)).toMatchObject({ uploaded: 300, downloaded: 200 });
    clock.now += HOUR; // the token starts too
    expect(await phase(100, 100)).toMatchObject({ uploaded: 500, downloaded: 200 });
    expect((await t.api('GET', `/api/promotions/${token.id}`)).body.active).toBe(true);
    clock.now += HOUR; // the site event ends (end exclusive)
    expect(await phase(100, 100)).toMatchObject({ uploaded: 600, downloaded: 200 });
    clock.now += HOUR; // the token ends
    expect(await phase(100, 100)).toMatchObject({ uploaded: 700, downloaded: 300 });
    expect((await t.api('GET', `/api/promotions?userId=${user.id}&active=true`)).body.items).toEqual([]);
    clock.now -= 4 * HOUR;
  });

  it('a deleted promotion stops applying at once', async () => {
    const user = await f.user();
    const infoHash = await f.torrent();
    await f.join(user, infoHash);
    const promotions = [
      await f.promote({ uploadFactor: 2 }),
      await f.promote({ userId: user.id, uploadFactor: 3 }),
      await f.promote({ infoHash, uploadFactor: 4 }),
      await f.promote({ userId: user.id, infoHash, uploadFactor: 5 }),
    ];
    let raw = 0;
    for (const expected of [5, 4, 3, 2, 1]) {
      await f.transfer(user, infoHash, 100, 0);
      raw += 100;
      const before = raw === 100 ? 0 : (await f.flushed(user.id, raw - 100)).uploaded;
      expect((await f.flushed(user.id, raw)).uploaded - before).toBe(100 * expected);
      const last = promotions.pop();
      if (last) {
        expect((await t.api('DELETE', `/api/promotions/${last.id}`)).status).toBe(204);
      }
    }
  });

  it('a promotion on a deleted torrent or user stops applying; GET still reads it; a restored torrent has it again', async () => {
    const user = await f.user();
    const infoHash = await f.torrent();
    await f.join(user, infoHash);
    const onTorrent = await f.promote({ infoHash, uploadFactor: 2 });
    const token = await f.promote({ userId: user.id, infoHash, downloadFactor: 0 });

    expect((await t.api('DELETE', `/api/torrents/${infoHash}`)).status).toBe(204);
    expect(await f.failure(user, infoHash)).toMatch(/deleted/);
    expect((await t.api('GET', `/api/promotions/${onTorrent.id}`)).body).toEqual(onTorrent);
    expect((await t.api('POST', '/api/promotions', { infoHash, uploadFactor: 2 })).body).toMatchObject({
      statusCode: 404,
      code: 'TORRENT_NOT_FOUND',
    });
    // Registered again: the same torrent, its promotions with it.
    expect((await t.api('POST', '/api/torrents', { infoHash })).status).toBe(201);
    await f.join(user, infoHash);
    await f.transfer(user, infoHash, 100, 100);
    expect(await f.flushed(user.id, 100)).toMatchObject({ uploaded: 200, downloaded: 0 });

    expect((await t.api('DELETE', `/api/users/${user.id}`)).status).toBe(204);
    expect(await f.failure(user, infoHash)).toMatch(/Unknown passkey/);
    expect((await t.api('GET', `/api/promotions/${token.id}`)).body).toEqual(token);
    expect((await t.api('GET', `/api/promotions?userId=${user.id}`)).body.items).toEqual([token]);
    expect((await t.api('POST', '/api/promotions', { userId: user.id, uploadFactor: 2 })).body).toMatchObject({
      statusCode: 404,
      code: 'USER_NOT_FOUND',
    });
    // Created again with the same id: the same site user, its token with it.
    const again = (await t.api('POST', '/api/users', { id: user.id })).body as { id: number; passkey: string };
    await f.join(again, infoHash);
    await f.transfer(again, infoHash, 100, 100);
    expect(await f.flushed(again.id, 100)).toMatchObject({ uploaded: 200, downloaded: 0 });
    expect((await t.api('DELETE', `/api/promotions/${token.id}`)).status).toBe(204);
    expect((await t.api('DELETE', `/api/promotions/${onTorrent.id}`)).status).toBe(204);
  });
});
