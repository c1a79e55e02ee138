import {
  firstToken,
  NO_PROMOTIONS,
  PromotionScan,
  promotionTokens,
  promotionWindows,
} from 'src/lookup/promotion-windows';

const hash = (n: number) => n.toString(16).padStart(40, '0');

describe('promotion windows', () => {
  const scan = new PromotionScan();

  it('take the largest upload factor and the smallest download factor in force', () => {
    const windows = promotionWindows([
      { uploadFactor: 2, downloadFactor: 1, startsAt: null, endsAt: null },
      { uploadFactor: 1.5, downloadFactor: 0.5, startsAt: null, endsAt: null },
      { uploadFactor: 3, downloadFactor: 0, startsAt: 1000, endsAt: 2000 },
    ]);
    scan.reset();
    scan.addAll(windows, 500);
    expect([scan.upload, scan.download]).toEqual([2, 0.5]);
    scan.reset();
    scan.addAll(windows, 1500);
    expect([scan.upload, scan.download]).toEqual([3, 0]);
  });

  it('start inclusive and end exclusive', () => {
    const windows = promotionWindows([{ uploadFactor: 2, downloadFactor: 0, startsAt: 1000, endsAt: 2000 }]);
    for (const [now, expected] of [
      [999, [1, 1]],
      [1000, [2, 0]],
      [1999, [2, 0]],
      [2000, [1, 1]],
    ] as const) {
      scan.reset();
      scan.addAll(windows, now);
      expect([scan.upload, scan.download]).toEqual(expected);
    }
  });

  it('are empty and shared when there are none', () => {
    expect(promotionWindows([])).toBe(NO_PROMOTIONS);
    expect(promotionTokens([])).toBeNull();
  });

  it('find tokens by info hash, several on one hash, none on others', () => {
    const tokens = promotionTokens([
      { infoHash: hash(30), uploadFactor: 1, downloadFactor: 0, startsAt: null, endsAt: null },
      { infoHash: hash(10), uploadFactor: 2, downloadFactor: 1, startsAt: null, endsAt: null },
      { infoHash: hash(30), uploadFactor: 3, downloadFactor: 0.5, startsAt: null, endsAt: null },
      { infoHash: hash(20), uploadFactor: 1, downloadFactor: 0.25, startsAt: null, endsAt: 100 },
    ])!;
    expect(firstToken(tokens, hash(10))).toBe(0);
    expect(firstToken(tokens, hash(20))).toBe(1);
    expect(firstToken(tokens, hash(30))).toBe(2);
    expect(firstToken(tokens, hash(5))).toBe(-1);
    expect(firstToken(tokens, hash(25))).toBe(-1);
    expect(firstToken(tokens, hash(99))).toBe(-1);
    scan.reset();
    scan.addTokens(tokens, hash(30), 0);
    expect([scan.upload, scan.download]).toEqual([3, 0]);
    scan.reset();
    scan.addTokens(tokens, hash(20), 100);
    expect([scan.upload, scan.download]).toEqual([1, 1]);
    scan.reset();
    scan.addTokens(tokens, hash(11), 0);
    expect([scan.upload, scan.download]).toEqual([1, 1]);
  });

  it('search many tokens', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      infoHash: hash(i * 2),
      uploadFactor: 1,
      downloadFactor: 0,
      startsAt: null,
      endsAt: null,
    }));
    const tokens = promotionTokens(many)!;
    for (let i = 0; i < 10000; i += 7) {
      expect(firstToken(tokens, hash(i)) >= 0).toBe(i % 2 === 0);
    }
  });

  it('find tokens among hashes sharing their first or last digits, and every token of a repeated hash', () => {
    const prefixed = (n: number) => 'abcdef01' + n.toString(16).padStart(32, '0');
    const suffixed = (n: number) => n.toString(16).padStart(32, '0') + 'abcdef01';
    const held = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? prefixed(i) : suffixed(i)));
    const tokens = promotionTokens(
      [...held, held[7], held[7]].map((infoHash, i) => ({
        infoHash,
        uploadFactor: i >= held.length ? 4 : 1,
        downloadFactor: i === held.length + 1 ? 0 : 1,
        startsAt: null,
        endsAt: null,
      })),
    )!;
    for (let i = 0; i < 600; i++) {
      const infoHash = i % 2 === 0 ? prefixed(i) : suffixed(i);
      expect(firstToken(tokens, infoHash) >= 0).toBe(i < 300);
    }
    scan.reset();
    scan.addTokens(tokens, held[7], 0);
    expect([scan.upload, scan.download]).toEqual([4, 0]);
  });
});
