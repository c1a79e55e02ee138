import { UdpRateLimiter } from 'src/announce/udp/udp-rate-limiter';

describe('UDP rate limit', () => {
  it('passes the limit, refuses the next packet once, drops the rest, and starts over next window', () => {
    let now = 0;
    const limiter = new UdpRateLimiter(3, 10_000, () => now);
    const verdicts = Array.from({ length: 6 }, () => limiter.check('192.0.2.1'));
    expect(verdicts).toEqual(['pass', 'pass', 'pass', 'refuse', 'drop', 'drop']);
    expect(limiter.check('192.0.2.2')).toBe('pass');
    now = 10_000;
    expect(limiter.check('192.0.2.1')).toBe('pass');
  });

  it('is off at 0', () => {
    const limiter = new UdpRateLimiter(0, 1000);
    expect(Array.from({ length: 100 }, () => limiter.check('x')).every((v) => v === 'pass')).toBe(true);
  });
});
