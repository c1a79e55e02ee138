import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { BanRegistry, type AbuseBan, type BanWatcher } from 'src/abuse/ban-registry';
import { clientKey } from 'src/common/client-key.util';
import type { TallyCount } from 'src/metrics/tally-metrics';

export interface AbuseBanLimits {
  /** Failed lookups (unknown passkey or info hash) an address may make per window; 0 turns bans off. */
  maxFailures: number;
  windowMs: number;
  banMs: number;
  /** Addresses whose failures are counted at once; the least recent are forgotten first. */
  maxAddresses?: number;
}

/** The ban's name in POLICY_MODES and in tracker_policy_would_refuse_total. */
export const ABUSE_BAN_POLICY = 'AbuseBan';

/** How often an instance forgets ended bans and reads every ban in force, in case a message was lost. */
export const BAN_RELOAD_MS = 5_000;

interface LocalBan extends AbuseBan {
  /** False while the registry has not confirmed it: a reload keeps it rather than lift it. */
  saved: boolean;
}

interface FailureWindow {
  start: number;
  failures: number;
}

/**
 * Bans addresses that send too many unknown passkeys or info hashes (issue 15; issue 19 §5): past `maxFailures`
 * within a window, the address (an IPv6 one by its /64) is refused for `banMs` without any lookup, so guessing keys
 * costs PostgreSQL nothing. Failures are counted here and, on Redis, in a window shared by every instance; a ban
 * is published to all of them. The announce path only reads the local map of bans in force: an address that does
 * not fail costs no Redis round trip.
 */
export class AbuseBanService implements OnModuleInit, OnModuleDestroy, BanWatcher {
  private readonly logger = new Logger(AbuseBanService.name);
  private readonly bans = new Map<string, LocalBan>();
  /** IPv6 /64s among the bans: while there is none, an IPv6 announce skips computing its /64. */
  private ipv6Bans = 0;
  private readonly failures: LRUCache<string, FailureWindow>;
  private reloadTimer: NodeJS.Timeout | undefined;
  /** Bumped by every lift: a Redis reply to a command sent before a lift must not ban again what it lifted. */
  private lifts = 0;

  /**
   * @param observed set in observe mode (POLICY_MODES=AbuseBan:observe): the would-refuse counter; addresses are
   * banned and listed, but not refused.
   */
  constructor(
    private readonly limits: AbuseBanLimits,
    private readonly registry: BanRegistry,
    private readonly observed: TallyCount | null,
  ) {
    this.failures = new LRUCache({ max: limits.maxAddresses ?? 100_000 });
  }

  async onModuleInit(): Promise<void> {
    if (this.limits.maxFailures === 0) {
      return;
    }
    if (this.registry.shared) {
      await this.registry.watch(this);
      await this.reloadNow();
    }
    this.reloadTimer = setInterval(() => void this.reloadNow(), BAN_RELOAD_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reloadTimer);
  }

  /** Milliseconds the address is still refused for, or 0. The announce path: a map read when any ban is in force. */
  refusedFor(ip: string, now: number): number {
    if (this.bans.size === 0) {
      return 0;
    }
    let key = ip;
    if (ip.includes(':')) {
      if (this.ipv6Bans === 0 && !/^::ffff:/i.test(ip)) {
        return 0;
      }
      key = clientKey(ip);
    }
    const ban = this.bans.get(key);
    if (ban === undefined) {
      return 0;
    }
    if (ban.until <= now) {
      this.unban(key);
      return 0;
    }
    if (this.observed !== null) {
      this.observed.value++;
      return 0;
    }
    return ban.until - now;
  }

  /** Counts a lookup that found nothing against the address; past the limit, bans it everywhere. */
  recordFailure(ip: string, now: number): void {
    if (this.limits.maxFailures === 0) {
      return;
    }
    const key = clientKey(ip);
    let window = this.failures.get(key);
    if (!window || now - window.start >= this.limits.windowMs) {
      window = { start: now, failures: 0 };
      this.failures.set(key, window);
    }
    window.failures++;
    if (window.failures > this.limits.maxFailures) {
      this.ban(key, window.failures, now);
    } else if (this.registry.shared) {
      // Other instances' failures count too; the reply comes after this announce is answered.
      const lifts = this.lifts;
      this.registry.countFailure(key, this.limits.windowMs).then(
        (failures) => {
          if (failures > this.limits.maxFailures && lifts === this.lifts) {
            this.ban(key, failures, Date.now());
          }
        },
        (error: Error) => this.logger.warn(`Could not count a failed lookup in Redis: ${error.message}`),
      );
    }
  }

  /** The bans in force: every instance's on Redis, this instance's with the memory store. Soonest ending last. */
  async list(now = Date.now()): Promise<AbuseBan[]> {
    const bans = this.registry.shared
      ? await this.registry.list(now)
      : [...this.bans.values()].filter((ban) => ban.until > now);
    return bans.map(({ ip, since, until, failures }) => ({ ip, since, until, failures })).sort(bySince);
  }

  /** Lifts the ban of an address (or of the /64 an IPv6 address is in), on every instance; false when none. */
  async lift(ip: string): Promise<boolean> {
    const key = clientKey(ip);
    const local = this.bans.get(key);
    this.lifted(key);
    const shared = this.registry.shared ? await this.registry.lift(key) : false;
    return shared || (local !== undefined && local.until > Date.now());
  }

  banned(ban: AbuseBan): void {
    const current = this.bans.get(ban.ip);
    if (!current || current.until < ban.until) {
      this.setBan(ban.ip, { ...ban, saved: true });
    } else {
      current.saved = true;
    }
    this.failures.delete(ban.ip);
  }

  lifted(ip: string): void {
    this.lifts++;
    this.unban(ip);
    this.failures.delete(ip);
  }

  reload(bans: AbuseBan[]): void {
    const inForce = new Set(bans.map((ban) => ban.ip));
    for (const [ip, ban] of this.bans) {
      if (ban.saved && !inForce.has(ip)) {
        this.unban(ip); // lifted while a message was lost
      }
    }
    for (const ban of bans) {
      this.banned(ban);
    }
  }

  private setBan(key: string, ban: LocalBan): void {
    if (!this.bans.has(key) && key.includes(':')) {
      this.ipv6Bans++;
    }
    this.bans.set(key, ban);
  }

  private unban(key: string): void {
    if (this.bans.delete(key) && key.includes(':')) {
      this.ipv6Bans--;
    }
  }

  private ban(key: string, failures: number, now: number): void {
    const current = this.bans.get(key);
    if (current && current.until > now) {
      return;
    }
    const ban: LocalBan = {
      ip: key,
      since: now,
      until: now + this.limits.banMs,
      failures,
      saved: !this.registry.shared,
    };
    this.setBan(key, ban);
    this.failures.delete(key);
    this.logger.warn(`Banned ${key} for ${this.limits.banMs / 1000} s: ${failures} unknown passkeys or torrents`);
    if (this.registry.shared) {
      const lifts = this.lifts;
      this.registry.save(ban, now).then(
        (inForce) => {
          if (lifts === this.lifts) {
            this.banned(inForce);
          }
        },
        (error: Error) => this.logger.warn(`Could not share the ban of ${key}: ${error.message}`),
      );
    }
  }

  /** Forgets ended bans (an address that stopped sending is never looked up again), then re-reads the shared ones. */
  private async reloadNow(): Promise<void> {
    const now = Date.now();
    for (const [ip, ban] of this.bans) {
      if (ban.until <= now) {
        this.unban(ip);
      }
    }
    if (!this.registry.shared) {
      return;
    }
    try {
      this.reload(await this.registry.list(Date.now()));
    } catch (error) {
      this.logger.warn(`Could not reload the bans: ${(error as Error).message}`);
    }
  }
}

function bySince(a: AbuseBan, b: AbuseBan): number {
  return b.since - a.since || a.ip.localeCompare(b.ip);
}
