import { FailedLookupLimiter } from 'src/lookup/failed-lookup-limiter';

describe('FailedLookupLimiter', () => {
  it('refuses an address past its failures in one window, for a window', () => {
    const limiter = new FailedLookupLimiter({ maxFailures: 3, windowMs: 1000 });
    for (let i = 0; i < 3; i++) {
      limiter.recordFailure('10.0.0.1', 100 + i);
    }
    expect(limiter.refusedFor('10.0.0.1', 110)).toBe(0);
    limiter.recordFailure('10.0.0.1', 120);
    expect(limiter.refusedFor('10.0.0.1', 120)).toBe(1000);
    expect(limiter.refusedFor('10.0.0.1', 1119)).toBe(1);
    expect(limiter.refusedFor('10.0.0.1', 1120)).toBe(0);
    expect(limiter.refusedFor('10.0.0.2', 120)).toBe(0);
  });

  it('starts counting afresh in each window', () => {
    const limiter = new FailedLookupLimiter({ maxFailures: 2, windowMs: 1000 });
    limiter.recordFailure('a', 0);
    limiter.recordFailure('a', 10);
    limiter.recordFailure('a', 1010);
    limiter.recordFailure('a', 1020);
    expect(limiter.refusedFor('a', 1030)).toBe(0);
  });

  it('does nothing when turned off', () => {
    const limiter = new FailedLookupLimiter({ maxFailures: 0, windowMs: 1000 });
    for (let i = 0; i < 100; i++) {
      limiter.recordFailure('a', i);
    }
    expect(limiter.refusedFor('a', 100)).toBe(0);
  });
});
