/** Addresses counted per window at most; past this, new addresses go uncounted until the window turns. */
const COUNTED_ADDRESSES = 200_000;

export type RateVerdict = 'pass' | 'refuse' | 'drop';

/**
 * Packets per source address in fixed windows. The first packet past the limit in a window is refused (answered
 * with an error, so a real client learns why); the rest of that window are dropped unanswered, so a flood from a
 * spoofed address gets at most one small answer per window. Each instance counts on its own.
 */
export class UdpRateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  check(address: string): RateVerdict {
    if (this.limit === 0) {
      return 'pass';
    }
    const window = Math.floor(this.now() / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(address) ?? 0) + 1;
    if (count === 1 && this.counts.size >= COUNTED_ADDRESSES) {
      return 'pass';
    }
    this.counts.set(address, count);
    return count <= this.limit ? 'pass' : count === this.limit + 1 ? 'refuse' : 'drop';
  }
}
