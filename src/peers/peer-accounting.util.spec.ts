import {
  creditedBytes,
  plausibleDelta,
  saturatingSum,
  seedTimeSince,
  totalsMovedForward,
} from 'src/peers/peer-accounting.util';

describe('totalsMovedForward', () => {
  it('accepts totals that grew or stayed the same', () => {
    expect(totalsMovedForward(10, 20, 10, 20)).toBe(true);
    expect(totalsMovedForward(10, 20, 11, 25)).toBe(true);
  });

  it('rejects totals where either one went down (a client restart)', () => {
    expect(totalsMovedForward(10, 20, 9, 25)).toBe(false);
    expect(totalsMovedForward(10, 20, 11, 19)).toBe(false);
  });
});

describe('creditedBytes', () => {
  it('rounds down to whole bytes', () => {
    expect(creditedBytes(101, 1.5)).toBe(151);
    expect(creditedBytes(101, 0.5)).toBe(50);
  });

  it('credits nothing at factor 0 (freeleech)', () => {
    expect(creditedBytes(4096, 0)).toBe(0);
  });

  it('is exact for large byte counts at factor 1', () => {
    expect(creditedBytes(Number.MAX_SAFE_INTEGER, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('seedTimeSince', () => {
  const ttl = 2_700_000;

  it('counts the time since the previous announce of a seeding peer', () => {
    expect(seedTimeSince(true, 1000, 61_000, ttl)).toBe(60_000);
  });

  it('counts nothing for a peer that was leeching', () => {
    expect(seedTimeSince(false, 1000, 61_000, ttl)).toBe(0);
  });

  it('counts a gap of exactly the TTL but not a longer one', () => {
    expect(seedTimeSince(true, 0, ttl, ttl)).toBe(ttl);
    expect(seedTimeSince(true, 0, ttl + 1, ttl)).toBe(0);
  });

  it('counts nothing when the clock went backwards', () => {
    expect(seedTimeSince(true, 5000, 4000, ttl)).toBe(0);
  });
});

describe('plausibleDelta', () => {
  it('keeps a delta the elapsed time allows', () => {
    expect(plausibleDelta(5_000, 2_000, 10_000)).toBe(5_000);
  });

  it('cuts a larger one to the rate over the elapsed time, and over at least a second', () => {
    expect(plausibleDelta(2 ** 53 - 1, 3_000, 10_000)).toBe(30_000);
    expect(plausibleDelta(2 ** 53 - 1, 5, 10_000)).toBe(10_000);
  });
});

describe('saturatingSum and creditedBytes', () => {
  it('stop at 2^53-1 instead of leaving the exact integers', () => {
    expect(saturatingSum(2 ** 53 - 10, 100)).toBe(Number.MAX_SAFE_INTEGER);
    expect(creditedBytes(2 ** 52, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
