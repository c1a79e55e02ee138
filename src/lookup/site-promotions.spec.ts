import { promotionWindows, type PromotionWindows } from 'src/lookup/promotion-windows';
import { SitePromotions } from 'src/lookup/site-promotions';

const set = (uploadFactor: number) =>
  promotionWindows([{ uploadFactor, downloadFactor: 1, startsAt: null, endsAt: null }]);

/** A read the test resolves by hand. */
class Reads {
  readonly pending: { resolve: (windows: PromotionWindows) => void; reject: (error: Error) => void }[] = [];
  read = () =>
    new Promise<PromotionWindows>((resolve, reject) => {
      this.pending.push({ resolve, reject });
    });
}

describe('the site-wide promotions set', () => {
  it('is loaded once for concurrent first announces, then answered without a promise', async () => {
    const reads = new Reads();
    const site = new SitePromotions(reads.read, 60_000);
    expect(site.cached()).toBeUndefined();
    const first = [site.get(), site.get()];
    expect(reads.pending).toHaveLength(1);
    reads.pending[0].resolve(set(2));
    expect((await Promise.all(first)).map((windows) => windows[0])).toEqual([2, 2]);
    expect(site.cached()![0]).toBe(2);
  });

  it('keeps answering with the old set while a change is read, and reads again when overtaken', async () => {
    const reads = new Reads();
    const site = new SitePromotions(reads.read, 60_000);
    const loaded = site.get();
    reads.pending[0].resolve(set(2));
    await loaded;
    const changed = site.changed();
    expect(site.cached()![0]).toBe(2);
    const overtaking = site.changed(); // a second change while the first read is in flight
    reads.pending[1].resolve(set(3)); // begun before the second change: not kept
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads.pending).toHaveLength(3);
    reads.pending[2].resolve(set(4));
    await Promise.all([changed, overtaking]);
    expect(site.cached()![0]).toBe(4);
  });

  it('keeps the old set when a reload fails', async () => {
    const reads = new Reads();
    const site = new SitePromotions(reads.read, 60_000);
    const loaded = site.get();
    reads.pending[0].resolve(set(2));
    await loaded;
    const changed = site.changed();
    reads.pending[1].reject(new Error('database away'));
    await expect(changed).rejects.toThrow('database away');
    expect(site.cached()![0]).toBe(2);
  });
});
