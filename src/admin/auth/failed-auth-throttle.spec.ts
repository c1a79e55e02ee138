import { FailedAuthThrottle } from 'src/admin/auth/failed-auth-throttle';

describe('the throttle of failed admin tokens', () => {
  let now: number;
  const throttle = (maxClients = 100) =>
    new FailedAuthThrottle({ maxFailures: 3, windowMs: 60_000, maxClients, now: () => now });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets a client try until it has failed maxFailures times, then says how long to wait', () => {
    const subject = throttle();
    for (let i = 0; i < 3; i++) {
      expect(subject.retryAfterSeconds('198.51.100.1')).toBe(0);
      subject.recordFailure('198.51.100.1');
      now += 10_000;
    }
    // The window began at the first failure, 30 s ago.
    expect(subject.retryAfterSeconds('198.51.100.1')).toBe(30);
    now += 29_500;
    expect(subject.retryAfterSeconds('198.51.100.1')).toBe(1);
  });

  it('lets the client in again once its window has ended, with a fresh count', () => {
    const subject = throttle();
    for (let i = 0; i < 3; i++) {
      subject.recordFailure('198.51.100.1');
    }
    now += 60_000;
    expect(subject.retryAfterSeconds('198.51.100.1')).toBe(0);
    subject.recordFailure('198.51.100.1');
    expect(subject.retryAfterSeconds('198.51.100.1')).toBe(0);
  });

  it('counts each client on its own', () => {
    const subject = throttle();
    for (let i = 0; i < 3; i++) {
      subject.recordFailure('198.51.100.1');
    }
    expect(subject.retryAfterSeconds('198.51.100.1')).toBeGreaterThan(0);
    expect(subject.retryAfterSeconds('198.51.100.2')).toBe(0);
  });

  it('forgets the oldest client first when its table is full', () => {
    const subject = throttle(2);
    for (let i = 0; i < 3; i++) {
      subject.recordFailure('198.51.100.1');
    }
    now += 1_000;
    for (let i = 0; i < 3; i++) {
      subject.recordFailure('198.51.100.2');
    }
    now += 1_000;
    subject.recordFailure('198.51.100.3');
    expect(subject.retryAfterSeconds('198.51.100.1')).toBe(0);
    expect(subject.retryAfterSeconds('198.51.100.2')).toBe(59);
  });
});
