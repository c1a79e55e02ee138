import { PromotionFixture, TestClock } from 'test/promotions/promotion-fixture';
import { createTestApp, type TestApp } from 'test/support/test-app';

const HOUR = 3_600_000;

/** The admin routes of promotions: validation naming the field, 404s, reading, cursor paging and filters. */
describe('the promotions admin API', () => {
  let t: TestApp;
  let f: PromotionFixture;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestApp();
    clock.control(t);
    f = new PromotionFixture(t);
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it('refuses bad bodies with a 400 naming the field', async () => {
    const user = await f.user();
    for (const [body, field] of [
      [{ uploadFactor: 0.5 }, 'uploadFactor'],
      [{ uploadFactor: 101 }, 'uploadFactor'],
      [{ uploadFactor: '2' }, 'uploadFactor'],
      [{ downloadFactor: -0.1 }, 'downloadFactor'],
      [{ downloadFactor: 1.5 }, 'downloadFactor'],
      [{}, 'uploadFactor'],
      [{ userId: user.id, reason: 'no factor' }, 'uploadFactor'],
      [{ uploadFactor: 2, startsAt: 'tomorrow' }, 'startsAt'],
      [{ uploadFactor: 2, endsAt: '2031-13-01T00:00:00Z' }, 'endsAt'],
      [{ uploadFactor: 2, startsAt: clock.iso(HOUR), endsAt: clock.iso(HOUR) }, 'endsAt'],
      [{ uploadFactor: 2, startsAt: clock.iso(HOUR), endsAt: clock.iso(-HOUR) }, 'endsAt'],
      [{ uploadFactor: 2, userId: 0 }, 'userId'],
      [{ uploadFactor: 2, infoHash: 'abc' }, 'infoHash'],
      [{ uploadFactor: 2, reason: 'x'.repeat(501) }, 'reason'],
      [{ uploadFactor: 2, scope: 'site' }, 'scope'],
      [{ uploadFactor: 2, startsAt: '2031-02-30T00:00:00Z' }, 'startsAt'],
      [{ uploadFactor: 2, endsAt: 1893456000000 }, 'endsAt'],
      [{ uploadFactor: 2, reason: 5 }, 'reason'],
      [{ uploadFactor: 2, userId: '7' }, 'userId'],
      [{ uploadFactor: 2, infoHash: null, userId: 1.5 }, 'userId'],
    ] as const) {
      const { status, body: error } = await t.api('POST', '/api/promotions', body);
      expect({ body, status, code: error.code, field: error.field }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
        field,
      });
    }
  });

  it('answers 404 for an unknown user, torrent or promotion', async () => {
    const infoHash = await f.torrent();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/promotions', { userId: 999999, uploadFactor: 2 }, 'USER_NOT_FOUND'],
      ['POST', '/api/promotions', { userId: 999999, infoHash, uploadFactor: 2 }, 'USER_NOT_FOUND'],
      ['POST', '/api/promotions', { infoHash: 'ab'.repeat(20), downloadFactor: 0 }, 'TORRENT_NOT_FOUND'],
      ['GET', '/api/promotions/999999', undefined, 'PROMOTION_NOT_FOUND'],
      ['DELETE', '/api/promotions/999999', undefined, 'PROMOTION_NOT_FOUND'],
    ];
    for (const [method, url, body, code] of cases) {
      const { status, body: error } = await t.api(method as 'GET', url, body);
      expect({ url, status, code: error.code }).toEqual({ url, status: 404, code });
    }
    expect((await t.api('GET', '/api/promotions/abc')).body).toMatchObject({ statusCode: 400, field: 'id' });
  });

  it('reads, pages and filters promotions', async () => {
    const user = await f.user();
    const infoHash = await f.torrent();
    const site = await f.promote({ downloadFactor: 0, startsAt: clock.iso(HOUR), reason: 'Freeleech weekend' });
    const own = await f.promote({ userId: user.id, uploadFactor: 2, endsAt: clock.iso(HOUR) });
    const onTorrent = await f.promote({ infoHash, uploadFactor: 1.5 });
    const token = await f.promote({ userId: user.id, infoHash, downloadFactor: 0 });
    expect(site).toEqual({
      id: site.id,
      scope: 'site',
      userId: null,
      infoHash: null,
      uploadFactor: 1,
      downloadFactor: 0,
      startsAt: clock.iso(HOUR),
      endsAt: null,
      reason: 'Freeleech weekend',
      createdAt: expect.any(String),
      active: false,
    });
    expect([own.scope, onTorrent.scope, token.scope]).toEqual(['user', 'torrent', 'token']);
    expect((await t.api('GET', `/api/promotions/${token.id}`)).body).toEqual(token);

    const pages: number[][] = [];
    let after = '';
    do {
      const { body } = await t.api('GET', `/api/promotions?limit=3${after ? `&after=${after}` : ''}`);
      pages.push((body.items as { id: number }[]).map((item) => item.id));
      after = body.next ?? '';
    } while (after);
    expect(pages).toEqual([[site.id, own.id, onTorrent.id], [token.id]]);

    const ids = async (query: string) =>
      ((await t.api('GET', `/api/promotions?${query}`)).body.items as { id: number }[]).map((item) => item.id);
    expect(await ids(`userId=${user.id}`)).toEqual([own.id, token.id]);
    expect(await ids(`infoHash=${infoHash.toUpperCase()}`)).toEqual([onTorrent.id, token.id]);
    expect(await ids(`userId=${user.id}&infoHash=${infoHash}`)).toEqual([token.id]);
    expect(await ids(`userId=${user.id}&active=true`)).toEqual([own.id, token.id]);
    clock.now += HOUR;
    expect(await ids(`userId=${user.id}&active=true`)).toEqual([token.id]);
    expect(await ids(`userId=${user.id}&active=false`)).toEqual([own.id]);
    expect((await t.api('GET', `/api/promotions/${site.id}`)).body.active).toBe(true);
    clock.now -= HOUR;
    for (const [query, field] of [
      ['active=yes', 'active'],
      ['limit=0', 'limit'],
      ['after=x', 'after'],
      ['userId=-1', 'userId'],
      ['infoHash=zz', 'infoHash'],
    ]) {
      expect((await t.api('GET', `/api/promotions?${query}`)).body).toMatchObject({ statusCode: 400, field });
    }
    for (const promotion of [site, own, onTorrent, token]) {
      expect((await t.api('DELETE', `/api/promotions/${promotion.id}`)).status).toBe(204);
    }
    expect((await t.api('GET', `/api/promotions/${token.id}`)).status).toBe(404);
  });
});
