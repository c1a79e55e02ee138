import { AbuseBanService } from 'src/abuse/abuse-ban.service';
import { LocalBanRegistry } from 'src/abuse/ban-registry';

function service(maxFailures: number, observed: { value: number } | null = null): AbuseBanService {
  return new AbuseBanService({ maxFailures, windowMs: 1000, banMs: 5000 }, new LocalBanRegistry(), observed);
}

describe('AbuseBanService on one instance', () => {
  it('bans an address past its failures in one window, for the ban duration', async () => {
    const bans = service(3);
    for (let i = 0; i < 3; i++) {
      bans.recordFailure('10.0.0.1', 100 + i);
    }
    expect(bans.refusedFor('10.0.0.1', 110)).toBe(0);
    bans.recordFailure('10.0.0.1', 120);
    expect(bans.refusedFor('10.0.0.1', 120)).toBe(5000);
    expect(bans.refusedFor('10.0.0.1', 5119)).toBe(1);
    expect(await bans.list(5119)).toEqual([{ ip: '10.0.0.1', since: 120, until: 5120, failures: 4 }]);
    expect(bans.refusedFor('10.0.0.2', 120)).toBe(0);
    expect(bans.refusedFor('10.0.0.1', 5120)).toBe(0);
    expect(await bans.list(5120)).toEqual([]);
  });

  it('starts counting afresh in each window', () => {
    const bans = service(2);
    bans.recordFailure('a', 0);
    bans.recordFailure('a', 10);
    bans.recordFailure('a', 1010);
    bans.recordFailure('a', 1020);
    expect(bans.refusedFor('a', 1030)).toBe(0);
  });

  it('counts an IPv6 address by its /64, however it is written', async () => {
    const bans = service(2);
    bans.recordFailure('2001:db8:0:1::1', 0);
    bans.recordFailure('2001:db8:0:1::2', 1);
    bans.recordFailure('2001:DB8:0:1:ffff::3', 2);
    expect(bans.refusedFor('2001:db8:0:1::99', 3)).toBe(4999);
    expect(bans.refusedFor('2001:db8:0:2::1', 3)).toBe(0);
    expect((await bans.list(3)).map((ban) => ban.ip)).toEqual(['2001:db8:0:1::/64']);
  });

  it('matches an IPv4-mapped IPv6 address to its IPv4 ban, and no IPv6 address to an IPv4 ban', () => {
    const bans = service(1);
    bans.recordFailure('10.0.0.1', 0);
    bans.recordFailure('::ffff:10.0.0.1', 1);
    expect(bans.refusedFor('::FFFF:10.0.0.1', 2)).toBe(4999);
    expect(bans.refusedFor('10.0.0.1', 2)).toBe(4999);
    expect(bans.refusedFor('2001:db8::1', 2)).toBe(0);
  });

  it('lifts a ban and forgets its failures; lifting none says so', async () => {
    const bans = service(1);
    const now = Date.now();
    bans.recordFailure('10.0.0.1', now);
    bans.recordFailure('10.0.0.1', now);
    expect(bans.refusedFor('10.0.0.1', now)).toBeGreaterThan(0);
    expect(await bans.lift('10.0.0.1')).toBe(true);
    expect(bans.refusedFor('10.0.0.1', now)).toBe(0);
    bans.recordFailure('10.0.0.1', now);
    expect(bans.refusedFor('10.0.0.1', now)).toBe(0);
    expect(await bans.lift('10.0.0.1')).toBe(false);
  });

  it('in observe mode, bans and lists but only counts what it would refuse', async () => {
    const observed = { value: 0 };
    const bans = service(1, observed);
    bans.recordFailure('10.0.0.1', 0);
    bans.recordFailure('10.0.0.1', 1);
    expect(bans.refusedFor('10.0.0.1', 2)).toBe(0);
    expect(bans.refusedFor('10.0.0.1', 3)).toBe(0);
    expect(observed.value).toBe(2);
    expect(await bans.list(3)).toHaveLength(1);
  });

  it('does nothing when turned off', () => {
    const bans = service(0);
    for (let i = 0; i < 100; i++) {
      bans.recordFailure('a', i);
    }
    expect(bans.refusedFor('a', 100)).toBe(0);
  });
});
