/** One banned address (an IPv4 address, or an IPv6 /64 as `2001:db8:0:1::/64`). Times are epoch milliseconds. */
export interface AbuseBan {
  ip: string;
  since: number;
  until: number;
  /** Unknown passkeys or info hashes counted in the window that led to the ban. */
  failures: number;
}

/** What the registry tells an instance about the bans other instances make and lift. */
export interface BanWatcher {
  banned(ban: AbuseBan): void;
  lifted(ip: string): void;
  /** Every ban in force, after a reconnect (messages may have been missed) and at each periodic check. */
  reload(bans: AbuseBan[]): void;
}

/**
 * Where bans are shared between instances. Each instance keeps its own copy of the bans in force, so that the
 * announce path reads a local map; the registry carries failures, bans and lifts between instances.
 */
export abstract class BanRegistry {
  /** False with the memory store: the instance's own bans are all there is. */
  abstract readonly shared: boolean;
  /** Counts one failure of `ip` in the window shared by all instances; the count so far. */
  abstract countFailure(ip: string, windowMs: number): Promise<number>;
  /** Records a ban and tells every instance; answers the ban in force (an earlier one is kept). */
  abstract save(ban: AbuseBan, now: number): Promise<AbuseBan>;
  /** Ends a ban and its failures on every instance; false when there was none. */
  abstract lift(ip: string): Promise<boolean>;
  /** The bans in force. */
  abstract list(now: number): Promise<AbuseBan[]>;
  abstract watch(watcher: BanWatcher): Promise<void>;
}

/** One instance (memory peer store): nothing to share. */
export class LocalBanRegistry extends BanRegistry {
  readonly shared = false;

  countFailure(): Promise<number> {
    return Promise.resolve(0);
  }
  save(ban: AbuseBan): Promise<AbuseBan> {
    return Promise.resolve(ban);
  }
  lift(): Promise<boolean> {
    return Promise.resolve(false);
  }
  list(): Promise<AbuseBan[]> {
    return Promise.resolve([]);
  }
  watch(): Promise<void> {
    return Promise.resolve();
  }
}
