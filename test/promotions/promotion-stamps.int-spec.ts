import { DataSource } from 'typeorm';
import { PromotionsRepository } from 'src/storage/repositories/promotions.repository';
import { PromotionFixture } from 'test/promotions/promotion-fixture';
import { createTestApp, type TestApp } from 'test/support/test-app';

/**
 * The promotion stamps the lookup cache's reload compares (migrations/1765500000000-promotion-stamps.ts): every
 * write of a user's promotions, whoever makes it, renews that user's stamp and no other's.
 */
describe('promotion stamps', () => {
  let t: TestApp;
  let f: PromotionFixture;
  let sql: DataSource;
  let promotions: PromotionsRepository;

  beforeAll(async () => {
    t = await createTestApp();
    f = new PromotionFixture(t);
    sql = t.app.get(DataSource);
    promotions = t.app.get(PromotionsRepository);
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it("are renewed by every insert, update and delete of a user's promotions, and only that user's", async () => {
    const [holder, bystander, never] = [await f.user(), await f.user(), await f.user()];
    const [a, b] = [await f.torrent(), await f.torrent()];
    const stamps = async () => promotions.stampsForPasskeys([holder.passkey, bystander.passkey, never.passkey]);
    await f.promote({ userId: bystander.id, downloadFactor: 0.5 });
    expect((await stamps()).has(holder.passkey)).toBe(false);

    const seen = [(await stamps()).get(bystander.passkey)];
    const renewed = async () => {
      const now = await stamps();
      expect(now.has(never.passkey)).toBe(false);
      expect(now.get(bystander.passkey)).toBe(seen[0]);
      const stamp = now.get(holder.passkey)!;
      expect(seen).not.toContain(stamp);
      seen.push(stamp);
    };
    // Several rows in one statement, as a site's own SQL might write them.
    await sql.query(`INSERT INTO promotions (user_id, info_hash, download_factor) VALUES ($1, $2, 0), ($1, $3, 0)`, [
      holder.id,
      a,
      b,
    ]);
    await renewed();
    await sql.query(`UPDATE promotions SET download_factor = 0.5 WHERE user_id = $1 AND info_hash = $2`, [
      holder.id,
      a,
    ]);
    await renewed();
    const { id } = await f.promote({ userId: holder.id, uploadFactor: 2 });
    await renewed();
    expect((await t.api('DELETE', `/api/promotions/${id}`)).status).toBe(204);
    await renewed();
    await sql.query(`DELETE FROM promotions WHERE user_id = $1`, [holder.id]);
    await renewed();
    await sql.query(`UPDATE promotions SET download_factor = 0.5 WHERE user_id = $1`, [holder.id]);
    expect((await stamps()).get(holder.passkey)).toBe(seen[seen.length - 1]); // no row changed
  });

  it('are all gone after a truncate, which reads as a change', async () => {
    const user = await f.user();
    await f.promote({ userId: user.id, uploadFactor: 2 });
    expect((await promotions.stampsForPasskeys([user.passkey])).size).toBe(1);
    await sql.query(`TRUNCATE promotions`);
    expect((await promotions.stampsForPasskeys([user.passkey])).size).toBe(0);
  });
});
