export interface FailedAuthThrottleOptions {
  /** Failed tokens one client IP may send within a window before it is turned away. */
  maxFailures: number;
  windowMs: number;
  /** Client IPs remembered at most; beyond, the oldest windows are forgotten first. */
  maxClients: number;
  now?: () => number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failed bearer tokens per client IP, in fixed windows that start at a client's first failure. A client with
 * `maxFailures` failures in its window is refused, right or wrong token alike, until the window ends: a guesser
 * learns nothing more, and the site's server gets in again at most one window after a misconfiguration is fixed.
 * Per instance and in memory: behind a load balancer, each instance throttles on its own.
 */
export class FailedAuthThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;

  constructor(private readonly options: FailedAuthThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Seconds the client must wait (for Retry-After), or 0 when it may try a token. */
  retryAfterSeconds(ip: string): number {
    const window = this.current(ip);
    if (!window || window.failures < this.options.maxFailures) {
      return 0;
    }
    return Math.max(1, Math.ceil((window.startedAt + this.options.windowMs - this.now()) / 1000));
  }

  recordFailure(ip: string): void {
    const window = this.current(ip);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= this.options.maxClients) {
      this.forgetOldest();
    }
    this.windows.set(ip, { startedAt: this.now(), failures: 1 });
  }

  /** The client's window if it has not ended; an ended one is dropped. */
  private current(ip: string): Window | undefined {
    const window = this.windows.get(ip);
    if (window && this.now() >= window.startedAt + this.options.windowMs) {
      this.windows.delete(ip);
      return undefined;
    }
    return window;
  }

  /** Windows are inserted in start order, so the first ones are the oldest: ended ones go, or else the oldest. */
  private forgetOldest(): void {
    const endedBefore = this.now() - this.options.windowMs;
    for (const [ip, window] of this.windows) {
      if (window.startedAt > endedBefore && this.windows.size < this.options.maxClients) {
        return;
      }
      this.windows.delete(ip);
    }
  }
}
