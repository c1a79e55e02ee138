import { createHmac, timingSafeEqual } from 'node:crypto';

/** BEP 15: a client may use a connection ID for a minute; with the previous window accepted, it lives 1 to 2. */
export const CONNECTION_ID_WINDOW_MS = 60_000;
const REMEMBERED = 10_000;

/**
 * Stateless connection IDs: the first 8 bytes of HMAC-SHA256(secret, window ‖ source address). Any instance holding
 * the same secret accepts any instance's IDs; an ID proves that its holder received our answer at that address,
 * so a spoofed source cannot announce or scrape. The IDs of the current window are remembered per address, so an
 * announce costs a map lookup, not an HMAC.
 */
export class UdpConnectionIds {
  private window = -1;
  private current = new Map<string, Buffer>();

  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ID to hand `address` now. */
  issue(address: string): Buffer {
    const window = this.windowNow();
    let id = this.current.get(address);
    if (id === undefined) {
      id = connectionIdFor(this.secret, address, window);
      if (this.current.size >= REMEMBERED) {
        this.current.clear();
      }
      this.current.set(address, id);
    }
    return id;
  }

  /** True when `id` was issued to `address` in this window or the previous one. */
  accepts(address: string, id: Buffer): boolean {
    if (id.length !== 8) {
      return false;
    }
    if (timingSafeEqual(this.issue(address), id)) {
      return true;
    }
    return timingSafeEqual(connectionIdFor(this.secret, address, this.window - 1), id);
  }

  private windowNow(): number {
    const window = Math.floor(this.now() / CONNECTION_ID_WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.current = new Map();
    }
    return window;
  }
}

/** The ID of `address` in time window `window` (ms since the epoch / CONNECTION_ID_WINDOW_MS). */
export function connectionIdFor(secret: Buffer, address: string, window: number): Buffer {
  const head = Buffer.allocUnsafe(8);
  head.writeDoubleBE(window, 0);
  return createHmac('sha256', secret).update(head).update(address, 'latin1').digest().subarray(0, 8);
}
